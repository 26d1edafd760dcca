fn main() -> std::process::ExitCode {
    servqual::cli::main()
}
