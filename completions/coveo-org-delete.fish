# Made by `make docs` (examples/docs.rs) from the tables of src/cli.rs and
# src/kind.rs: do not edit; change the tables, then run `make docs`.
# Installed as share/fish/vendor_completions.d/coveo-org-delete.fish; fish loads it at
# the first Tab.

# No file names where an organization ID goes.
complete -c coveo-org-delete -f
complete -c coveo-org-delete -s y -l yes -d 'Delete without asking'
complete -c coveo-org-delete -s n -l dry-run -d 'Check that each organization exists and that the token may delete it'
complete -c coveo-org-delete -l missing-ok -d 'An organization that does not exist counts as success (result "already_absent")'
complete -c coveo-org-delete -l region -x -a 'us\tregion eu\tregion au\tregion ca\tregion' -d 'us (default), eu, au or ca'
complete -c coveo-org-delete -l environment -x -a 'prod\tenvironment hipaa\tenvironment dev\tenvironment stg\tenvironment' -d 'prod (default), hipaa (us only), dev or stg'
complete -c coveo-org-delete -l platform-url -x -d 'Base URL, https:// (http:// only for a loopback address)'
complete -c coveo-org-delete -l token-file -r -F -d 'Read the token from FILE\'s first line, instead of COVEO_TOKEN or the Coveo CLI\'s login'
complete -c coveo-org-delete -l timeout -x -d 'Deadline of one attempt, from connecting to the answer\'s last byte, in seconds (default 30)'
complete -c coveo-org-delete -l retries -x -d 'Extra attempts after a temporary failure (default 3)'
complete -c coveo-org-delete -l ca-file -r -F -d 'Trust exactly the CA certificates in this PEM file instead of the built-in Mozilla roots'
complete -c coveo-org-delete -l from-file -r -F -d 'Organization IDs, one per line (\'-\': stdin)'
complete -c coveo-org-delete -l allow-production -d 'Let a listed organization of type Production in --from-file be deleted (without it, such a list deletes nothing)'
complete -c coveo-org-delete -l list -d 'List the organizations the token can see, one JSON line each, oldest first, then an end_of_list line'
complete -c coveo-org-delete -l name-prefix -x -d 'With --list: keep display names that start with P (exact case)'
complete -c coveo-org-delete -l type -x -a 'Test\ttype Production\ttype Developer\ttype Trial\ttype Sandbox\ttype' -d 'With --list: keep organizations of type T, such as Test (any letter case)'
complete -c coveo-org-delete -l older-than -x -d 'With --list: keep organizations created more than AGE ago'
complete -c coveo-org-delete -s v -l verbose -d 'On stderr: where the token came from and where requests go, then one line per HTTP attempt'
complete -c coveo-org-delete -s h -l help -d 'Print this help'
complete -c coveo-org-delete -s V -l version -d 'Print the version'
