// Renders each schema source (migrations/schema/) into both dialect folders, so the two
// cannot drift apart. A rendered file is written once, when it is missing: a released
// migration must keep its bytes (sqlx refuses to start otherwise), so a source or a
// rendered file changed later is reported here and by store/tests/schema_source.rs,
// never silently rewritten.
include!("schema_render.rs");

fn main() {
    // New migration files are embedded by sqlx::migrate!, which does not notice them.
    println!("cargo:rerun-if-changed=../migrations");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let Ok(sources) = std::fs::read_dir(root.join("schema")) else {
        return;
    };
    for entry in sources.flatten() {
        let name = entry.file_name();
        let source = std::fs::read_to_string(entry.path()).expect("a schema source is UTF-8 text");
        for (folder, int, id) in DIALECTS {
            let target = root.join(folder).join(&name);
            let rendered = render(&source, int, id);
            match std::fs::read_to_string(&target) {
                Err(_) => {
                    std::fs::write(&target, rendered).expect("the migrations folder is writable")
                }
                Ok(held) if held != rendered => println!(
                    "cargo:warning=migrations/{folder}/{} is not its rendered source",
                    name.to_string_lossy()
                ),
                Ok(_) => {}
            }
        }
    }
}
