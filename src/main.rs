fn main() {
    let env = |name: &str| std::env::var_os(name);
    let mut stdout = coveo_org_delete::report::stdout();
    let status = coveo_org_delete::run(std::env::args_os().skip(1).collect(), &env, &mut stdout);
    std::process::exit(status);
}
