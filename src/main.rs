fn main() {
    std::process::exit(maform::cli::main());
}
