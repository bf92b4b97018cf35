# bash completion for coveo-org-delete                           -*- shell-script -*-
# Made by `make docs` (examples/docs.rs) from the tables of src/cli.rs and
# src/kind.rs: do not edit; change the tables, then run `make docs`.
# For bash 4 or newer, with or without the bash-completion package. Installed as
# share/bash-completion/completions/coveo-org-delete, bash-completion loads it at the first
# Tab; without that package, source it from ~/.bashrc.

_coveo_org_delete() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev= flag= prefix= split= i
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()
    # Every word after -- is an organization ID.
    for ((i = 1; i < COMP_CWORD; i++)); do
        [[ ${COMP_WORDS[i]} == -- ]] && return 0
    done
    # The option whose value this word is: "--flag VALUE", or "--flag=VALUE", which bash splits
    # into --flag, = and VALUE when COMP_WORDBREAKS holds '=' (it does by default).
    if [[ $cur == = ]]; then
        flag=$prev cur= split=1
    elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
        flag=${COMP_WORDS[COMP_CWORD - 2]} split=1
    elif [[ $cur == --*=* ]]; then
        flag=${cur%%=*} prefix=${cur%%=*}= cur=${cur#*=} split=1
    else
        flag=$prev
    fi
    case $flag in
    --region)
        mapfile -t COMPREPLY < <(compgen -W "us eu au ca" -- "$cur")
        ;;
    --environment)
        mapfile -t COMPREPLY < <(compgen -W "prod hipaa dev stg" -- "$cur")
        ;;
    --type)
        mapfile -t COMPREPLY < <(compgen -W "Test Production Developer Trial Sandbox" -- "$cur")
        ;;
    --token-file | --ca-file | --from-file)
        # Names with spaces are quoted, directories get their '/'.
        compopt -o filenames 2>/dev/null
        if [[ -z $prefix ]] && declare -F _filedir >/dev/null; then
            _filedir # the bash-completion package's, which also expands ~
        else
            mapfile -t COMPREPLY < <(compgen -f -- "$cur")
        fi
        ;;
    --platform-url | --timeout | --retries | --name-prefix | --older-than)
        ;;
    *)
        if [[ -z $split && $cur == -* ]]; then
            mapfile -t COMPREPLY < <(compgen -W "-y --yes -n --dry-run --missing-ok --region --environment --platform-url --token-file --timeout --retries --ca-file --from-file --allow-production --list --name-prefix --type --older-than -v --verbose -h --help -V --version" -- "$cur")
        fi
        ;;
    esac
    if [[ -n $prefix ]]; then
        COMPREPLY=("${COMPREPLY[@]/#/$prefix}")
    fi
    return 0
}
complete -F _coveo_org_delete coveo-org-delete
