fn main() {
    // New migration files are embedded by sqlx::migrate!, which does not notice them.
    println!("cargo:rerun-if-changed=../migrations");
}
