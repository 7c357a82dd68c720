// The engine allocates and frees many small values (parsed JSON, attribute maps) in bursts;
// mimalloc does that markedly faster than the system allocator (see README, Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(maform::cli::main());
}
