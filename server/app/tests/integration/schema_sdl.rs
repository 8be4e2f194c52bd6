use portal_server::graphql::{build_schema, sdl};

/// schema.graphql is the published contract; it must be exactly what the code serves.
#[test]
fn committed_schema_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let current = sdl(&build_schema());
    if committed != current {
        let first_difference = committed
            .lines()
            .zip(current.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(current.lines().count()));
        panic!(
            "schema.graphql differs from the schema in the code (first at line {}).\n\
             Regenerate it with:\n\n    cargo run -p portal-server -- graphql-schema --output schema.graphql\n",
            first_difference + 1
        );
    }
}

#[test]
fn sdl_export_is_deterministic() {
    assert_eq!(sdl(&build_schema()), sdl(&build_schema()));
}
