//! The examples are part of the documentation; these tests run them so they
//! stay true.

#[allow(dead_code)]
#[path = "../../examples/simulator_in_tests.rs"]
mod simulator_in_tests;

#[tokio::test]
async fn the_simulator_example_runs() {
    simulator_in_tests::run().await.expect("example passes");
}
