//! `make docs`: writes the man page and the shell completions (`doc/`, `completions/`) from the
//! tables of `src/cli.rs` and `src/kind.rs`. A file that would not change is left alone, its
//! date included. The test suite fails while a committed file is not what this writes.
//!
//! Run: `cargo run --locked --example docs`.

#[path = "../tests/support/docs.rs"]
mod docs;

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for doc in docs::docs() {
        let path = root.join(doc.path);
        if std::fs::read(&path).is_ok_and(|old| old == doc.text.as_bytes()) {
            println!("unchanged {}", doc.path);
            continue;
        }
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, &doc.text));
        if let Err(e) = written {
            eprintln!("docs: writing {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("wrote {}", doc.path);
    }
    ExitCode::SUCCESS
}
