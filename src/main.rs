fn main() -> std::process::ExitCode {
    scimplan::cli::run()
}
