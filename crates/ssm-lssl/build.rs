//! Links libtorch into this crate's tests (see `ssm_build::link_libtorch`).

fn main() {
    ssm_build::link_libtorch();
}
