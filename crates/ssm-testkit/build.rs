fn main() { ssm_build::link_libtorch(); }
