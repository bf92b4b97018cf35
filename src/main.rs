use std::io::Write;

fn main() {
    let env = |name: &str| std::env::var_os(name);
    let mut stdout = std::io::stdout().lock();
    let status = coveo_org_delete::run(std::env::args_os().skip(1).collect(), &env, &mut stdout);
    // Lines were flushed as they were written; a failure here changes nothing for a script.
    let _ = stdout.flush();
    std::process::exit(status);
}
