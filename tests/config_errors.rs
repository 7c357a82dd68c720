//! Bad configuration gets a clear error with file:line:col and changes nothing.

mod common;
use common::*;

const NB: &str = "resource \"modelarts_notebook\" \"a\" {\n  name     = \"a\"\n  flavor   = \"modelarts.vm.cpu.2u\"\n  image_id = \"e1a07296-22a8-4f05-8bc8-e936c8e54090\"\n  volume {\n    category = \"EVS\"\n  }\n}\n";

fn check(files: &[(&str, &str)], want: &[&str]) {
    let w = Work::new(None, files);
    let o = w.run(&["validate"]);
    assert_eq!(
        o.code, 1,
        "expected failure for {files:?}\n{}{}",
        o.stdout, o.stderr
    );
    for s in want {
        assert!(o.stderr.contains(s), "expected {s:?} in:\n{}", o.stderr);
    }
    assert!(!o.stderr.contains("panicked"), "{}", o.stderr);
    assert!(!w.path().join("state").exists(), "validate wrote nothing");
}

#[test]
fn syntax_error_has_position() {
    check(
        &[(
            "main.hcl",
            "resource \"modelarts_notebook\" \"a\" {\n  name = \n}\n",
        )],
        &["main.hcl:2:", "invalid HCL syntax"],
    );
}

#[test]
fn unknown_argument_suggests_the_right_one() {
    check(
        &[("main.hcl", &NB.replace("  flavor ", "  flavour"))],
        &[
            "main.hcl:3:3",
            "unsupported argument flavour",
            "Did you mean \"flavor\"?",
        ],
    );
}

#[test]
fn missing_block_wrong_enum_and_range() {
    check(
        &[(
            "main.hcl",
            &NB.replace("  volume {\n    category = \"EVS\"\n  }\n", ""),
        )],
        &["main.hcl:1:1", "missing required block volume"],
    );
    check(
        &[("main.hcl", &NB.replace("\"EVS\"", "\"TAPE\""))],
        &[
            "main.hcl:6:5",
            "invalid value for volume.category",
            "EVS, EFS",
        ],
    );
    check(
        &[(
            "main.hcl",
            &NB.replace(
                "category = \"EVS\"",
                "category = \"EVS\"\n    capacity = 9000",
            ),
        )],
        &["main.hcl:7:5", "out of range 5–4096"],
    );
    check(
        &[(
            "main.hcl",
            &NB.replace("name     = \"a\"", "name     = \"a b\""),
        )],
        &["main.hcl:2:3", "the character ' ' is not allowed"],
    );
}

#[test]
fn devserver_rules() {
    let ds = "resource \"modelarts_devserver\" \"d\" {\n  name       = \"d\"\n  flavor     = \"Si2.large.4\"\n  image_id   = \"i\"\n  admin_pass = \"weak\"\n  network {\n    vpc_id            = \"v\"\n    subnet_id         = \"s\"\n    security_group_id = \"g\"\n  }\n}\n";
    check(&[("main.hcl", ds)], &["main.hcl:5:3", "8 to 26 characters"]);
    check(
        &[(
            "main.hcl",
            &ds.replace("\"weak\"", "\"Str0ng-Passw\"\n  key_pair_name = \"k\""),
        )],
        &["set exactly one of admin_pass and key_pair_name"],
    );
}

#[test]
fn references_cycles_and_types() {
    check(
        &[(
            "main.hcl",
            &NB.replace("\"a\"\n  flavor", "var.nope\n  flavor"),
        )],
        &["main.hcl:1:1", "undeclared input variable \"nope\""],
    );
    let cyc = "resource \"modelarts_notebook\" \"a\" {\n  name = modelarts_notebook.b.name\n}\nresource \"modelarts_notebook\" \"b\" {\n  name = modelarts_notebook.a.name\n}\n";
    check(&[("main.hcl", cyc)], &["dependency cycle: modelarts_notebook.a -> modelarts_notebook.b -> modelarts_notebook.a", "declared at main.hcl:4:1"]);
    check(
        &[(
            "main.hcl",
            &NB.replace("name     = \"a\"", "name     = [1]"),
        )],
        &["main.hcl:2:3", "a string is required"],
    );
    check(
        &[("main.hcl", &format!("{NB}{NB}"))],
        &["duplicate modelarts_notebook.a", "main.hcl:1:1"],
    );
    check(
        &[("main.hcl", "resource \"aws_instance\" \"x\" {}\n")],
        &["unknown resource type \"aws_instance\""],
    );
}

#[test]
fn variables_type_and_validation() {
    let v = "variable \"n\" {\n  type = number\n  validation {\n    condition     = var.n > 2\n    error_message = \"n must exceed 2.\"\n  }\n}\n";
    let w = Work::new(None, &[("main.hcl", v)]);
    let o = w.run(&["validate", "--var", "n=1"]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("n must exceed 2.") && o.stderr.contains("main.hcl:4:5"),
        "{}",
        o.stderr
    );
    let o = w.run(&["validate", "--var", "n=abc"]);
    assert!(
        o.code == 1 && o.stderr.contains("invalid value for variable \"n\""),
        "{}",
        o.stderr
    );
    // (validate takes a missing variable as unknown, as Terraform's does; plan needs it.)
    assert_eq!(w.run(&["validate"]).code, 0);
    let o = w.run(&["plan", "--input=false"]);
    assert!(
        o.code == 1
            && o.stderr.contains("no value for required variable \"n\"")
            && o.stderr.contains("MAFORM_VAR_n"),
        "{}",
        o.stderr
    );
    w.write("bad.auto.tfvars", "n = \n");
    let o = w.run(&["validate", "--var", "n=5"]);
    assert!(
        o.code == 1 && o.stderr.contains("bad.auto.tfvars:1:"),
        "{}",
        o.stderr
    );
    std::fs::remove_file(w.path().join("bad.auto.tfvars")).unwrap();
    w.write("ok.auto.tfvars", "n = 7\n");
    w.run(&["validate"]).ok();
}

#[test]
fn bad_config_leaves_the_state_unchanged() {
    let sim = Sim::start(&[]);
    let w = Work::new(Some(&sim), &[("main.hcl", NB)]);
    w.run(&["apply", "--auto-approve"]).ok();
    let before = std::fs::read(w.path().join("state/default.json")).unwrap();
    w.write("main.hcl", &NB.replace("volume {", "volume {{"));
    let o = w.run(&["apply", "--auto-approve"]);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("main.hcl:"), "{}", o.stderr);
    assert_eq!(
        std::fs::read(w.path().join("state/default.json")).unwrap(),
        before
    );
    // A corrupt state file is reported, not overwritten.
    std::fs::write(
        w.path().join("state/default.json"),
        b"{\"version\": 1, \"serial\": ",
    )
    .unwrap();
    w.write("main.hcl", NB);
    let o = w.run(&["plan"]);
    assert!(
        o.code == 1 && o.stderr.contains("not valid JSON"),
        "{}",
        o.stderr
    );
    assert_eq!(
        std::fs::read(w.path().join("state/default.json")).unwrap(),
        b"{\"version\": 1, \"serial\": "
    );
}

#[test]
fn lock_is_reported_with_its_holder() {
    let sim = Sim::start(&[]);
    let w = Work::new(Some(&sim), &[("main.hcl", NB)]);
    // Hold the lock as another run would.
    let mut b = maform::state::LocalBackend::new(&w.path(), "default");
    b.try_lock("apply").unwrap();
    let o = w.run(&["plan"]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("locked by another run")
            && o.stderr.contains("Operation: apply")
            && o.stderr.contains("--lock-timeout"),
        "{}",
        o.stderr
    );
    // -lock=false: a plan runs without the lock (Terraform's flag), and says so.
    let o = w.run(&["plan", "-lock=false", "-detailed-exitcode"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("not locking the state") && o.stderr.contains("-lock=false"),
        "{}",
        o.stderr
    );
    // What writes the state is refused without it, before anything is done (another
    // run's create journal would be taken for an interrupted run's).
    for args in [
        &["apply", "--lock", "false", "--auto-approve"][..],
        &["state", "rm", "-lock=false", "modelarts_notebook.a"],
    ] {
        let o = w.run(args);
        assert_eq!(o.code, 1, "{}", o.stderr);
        assert!(o.stderr.contains("-lock=false is refused"), "{}", o.stderr);
    }
    // The state commands take -lock-timeout as Terraform's do.
    let o = w.run(&["state", "rm", "-lock-timeout=200ms", "modelarts_notebook.a"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("locked by another run"), "{}", o.stderr);
    b.unlock();
    w.run(&["plan"]).ok();
}
