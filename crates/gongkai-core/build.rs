//! Embeds every calendar notice file in `data/calendar/` so that adding a year is adding one file.
//!
//! The generated `calendar_files.rs` is a `&[(&str, &str)]` of (file name, contents via
//! `include_str!`). Reading the folder here happens at build time; the library itself does no IO.

use std::{env, fs, path::Path};

fn main() {
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let data_dir = Path::new(&manifest_dir).join("data").join("calendar");
    println!("cargo:rerun-if-changed={}", data_dir.display());

    let mut files: Vec<String> = fs::read_dir(&data_dir)
        .expect("data/calendar exists")
        .map(|entry| {
            entry.expect("readable directory entry").file_name().to_string_lossy().into_owned()
        })
        .filter(|name| name.ends_with(".toml"))
        .collect();
    files.sort();

    let mut generated = String::from("&[\n");
    for name in &files {
        let path = data_dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        generated.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    generated.push(']');

    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    fs::write(Path::new(&out_dir).join("calendar_files.rs"), generated)
        .expect("OUT_DIR is writable");
}
