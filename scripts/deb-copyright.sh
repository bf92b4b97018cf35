#!/usr/bin/env bash
# Prints the Debian copyright file of the .deb (/usr/share/doc/coveo-org-delete/copyright), in
# Debian's machine-readable format, made from LICENSE-MIT so that the holder, the year and the
# text have one home. `make deb` writes it to target/deb/copyright, which Cargo.toml's
# [package.metadata.deb] packages. The Apache-2.0 text is not repeated: every Debian system
# has it in /usr/share/common-licenses, as Debian's own packages assume.
set -euo pipefail
cd "$(dirname "$0")/.."

# "Copyright (c) 2026 The coveo-org-delete developers" -> "2026 The coveo-org-delete developers"
holder=$(sed -n 's/^Copyright (c) //p' LICENSE-MIT)
[ -n "$holder" ] || { echo "deb-copyright.sh: no 'Copyright (c) ...' line in LICENSE-MIT" >&2; exit 1; }

cat <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: coveo-org-delete

Files: *
Copyright: $holder
License: MIT or Apache-2.0

License: MIT
EOF
# The permission text, from its first line on, as a continuation: each line indented by one
# space, a blank line as " .".
sed -n '/^Permission is hereby granted/,$p' LICENSE-MIT | sed 's/^$/./; s/^/ /'
cat <<'EOF'

License: Apache-2.0
 Licensed under the Apache License, Version 2.0 (the "License");
 you may not use this file except in compliance with the License.
 You may obtain a copy of the License at
 .
 http://www.apache.org/licenses/LICENSE-2.0
 .
 Unless required by applicable law or agreed to in writing, software
 distributed under the License is distributed on an "AS IS" BASIS,
 WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 See the License for the specific language governing permissions and
 limitations under the License.
 .
 On Debian systems, the complete text of the Apache License, Version 2.0
 can be found in "/usr/share/common-licenses/Apache-2.0".
EOF
