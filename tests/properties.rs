//! Property: for any valid configuration, applying it and planning again gives no changes
//! (the read-back normalisation undoes whatever the service changes in form). Random
//! configurations, seeded so that a failure can be replayed.

mod common;
use common::*;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

fn pick<'a, R: Rng>(r: &mut R, xs: &[&'a str]) -> &'a str {
    xs.choose(r).copied().expect("non-empty")
}

fn case<R: Rng>(r: &mut R) -> &'static str {
    if r.gen_bool(0.5) {
        "lower"
    } else {
        "upper"
    }
}

fn cased(s: &str, how: &str) -> String {
    if how == "lower" {
        s.to_lowercase()
    } else {
        s.to_uppercase()
    }
}

fn notebook<R: Rng>(r: &mut R, i: usize) -> String {
    let mut s = format!("resource \"modelarts_notebook\" \"n{i}\" {{\n  name = \"prop-nb-{i}\"\n");
    s.push_str(&format!(
        "  flavor = \"{}\"\n",
        pick(
            r,
            &[
                "modelarts.vm.cpu.2u",
                "modelarts.vm.cpu.8u",
                "modelarts.vm.gpu.t4"
            ]
        )
    ));
    s.push_str(&format!(
        "  image_id = \"{}\"\n",
        pick(
            r,
            &[
                "e1a07296-22a8-4f05-8bc8-e936c8e54090",
                "278e88d1-5b71-4766-8502-b3ba72e824d9"
            ]
        )
    ));
    if r.gen_bool(0.5) {
        s.push_str(&format!(
            "  description = \"desc {}\"\n",
            r.gen_range(0..1000)
        ));
    }
    if r.gen_bool(0.5) {
        s.push_str(&format!("  feature = \"{}\"\n", cased("notebook", case(r))));
    }
    if r.gen_bool(0.3) {
        s.push_str("  workspace_id = \"0\"\n");
    }
    if r.gen_bool(0.4) {
        s.push_str(&format!(
            "  desired_state = \"{}\"\n",
            pick(r, &["RUNNING", "STOPPED", "running", "stopped"])
        ));
    }
    s.push_str(&format!(
        "  volume {{\n    category = \"{}\"\n",
        cased("evs", case(r))
    ));
    if r.gen_bool(0.5) {
        s.push_str(&format!("    capacity = {}\n", r.gen_range(5..200)));
    }
    if r.gen_bool(0.3) {
        s.push_str(&format!(
            "    ownership = \"{}\"\n",
            cased("managed", case(r))
        ));
    }
    s.push_str("  }\n");
    if r.gen_bool(0.4) {
        let mut ips = vec!["1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"];
        ips.shuffle(r);
        ips.truncate(r.gen_range(1..=4));
        s.push_str(&format!("  endpoints {{\n    service = \"{}\"\n    key_pair_names = [\"kp\"]\n    allowed_access_ips = [{}]\n  }}\n", cased("ssh", case(r)), ips.iter().map(|x| format!("\"{x}\"")).collect::<Vec<_>>().join(", ")));
    }
    if r.gen_bool(0.4) {
        s.push_str(&format!(
            "  lease {{\n    duration = {}\n    type = \"{}\"\n  }}\n",
            r.gen_range(1..72) * 3_600_000,
            cased(pick(r, &["timing", "idle"]), case(r))
        ));
    }
    if r.gen_bool(0.3) {
        s.push_str("  hooks {\n    container_hooks {\n      post_start {\n        script = \"echo hi\"\n        type = \"command\"\n      }\n    }\n  }\n");
    }
    s.push_str("}\n");
    s
}

fn devserver<R: Rng>(r: &mut R, i: usize) -> String {
    let mut s = format!("resource \"modelarts_devserver\" \"d{i}\" {{\n  name = \"prop-ds-{i}\"\n  flavor = \"{}\"\n  image_id = \"c90fb553-2cdb-4b81-b56a-ef68812c6cf7\"\n", pick(r, &["Si2.large.4", "Si2.2xlarge.4"]));
    if r.gen_bool(0.5) {
        s.push_str("  key_pair_name = \"kp\"\n");
    } else {
        s.push_str("  admin_pass = \"Prop-Passw0rd\"\n");
    }
    if r.gen_bool(0.5) {
        s.push_str(&format!(
            "  server_type = \"{}\"\n  arch = \"{}\"\n",
            cased("ecs", case(r)),
            cased("x86", case(r))
        ));
    }
    if r.gen_bool(0.4) {
        s.push_str(&format!(
            "  desired_state = \"{}\"\n",
            pick(r, &["RUNNING", "STOPPED"])
        ));
    }
    if r.gen_bool(0.5) {
        s.push_str(&format!(
            "  root_volume {{\n    size = {}\n    type = \"{}\"\n  }}\n",
            r.gen_range(100..500),
            cased(pick(r, &["ssd", "essd", "sas"]), case(r))
        ));
    }
    s.push_str("  network {\n    vpc_id = \"v\"\n    subnet_id = \"s\"\n    security_group_id = \"g\"\n  }\n}\n");
    s
}

fn devenv<R: Rng>(r: &mut R, i: usize) -> String {
    let mut s = format!("resource \"modelarts_devenv\" \"e{i}\" {{\n  name = \"prop-de-{i}\"\n  profile_id = \"{}\"\n  flavor = \"{}\"\n", pick(r, &["Multi-Engine 1.0 (python3)-cpu", "Multi-Engine 2.0 (python3)"]), pick(r, &["modelarts.vm.cpu.2u", "modelarts.vm.cpu.8u"]));
    if r.gen_bool(0.5) {
        s.push_str(&format!("  description = \"d{}\"\n", r.gen_range(0..100)));
    }
    if r.gen_bool(0.4) {
        s.push_str(&format!(
            "  desired_state = \"{}\"\n",
            pick(r, &["RUNNING", "STOPPED"])
        ));
    }
    s.push_str("  spec {\n");
    if r.gen_bool(0.5) {
        s.push_str(&format!("    storage {{\n      type = \"{}\"\n      location {{\n        volume_size = {}\n      }}\n    }}\n", cased("evs", case(r)), r.gen_range(5..100)));
    } else {
        s.push_str("    storage {\n      type = \"obs\"\n      location {\n        path = \"/bucket/dir/\"\n      }\n    }\n");
    }
    if r.gen_bool(0.5) {
        s.push_str(&format!(
            "    auto_stop {{\n      enable = true\n      duration = {}\n    }}\n",
            r.gen_range(1..24) * 3600
        ));
    }
    s.push_str("  }\n}\n");
    s
}

#[test]
fn apply_then_plan_shows_no_changes() {
    let sim = Sim::start(&[]);
    for seed in 0..12u64 {
        let mut r = rand::rngs::StdRng::seed_from_u64(seed);
        let mut cfg = String::new();
        for i in 0..r.gen_range(1..=4) {
            cfg.push_str(&match r.gen_range(0..3) {
                0 => notebook(&mut r, i),
                1 => devserver(&mut r, i),
                _ => devenv(&mut r, i),
            });
        }
        let w = Work::new(Some(&sim), &[("main.hcl", &cfg)]);
        let o = w.run(&["apply", "--auto-approve"]);
        assert_eq!(o.code, 0, "seed {seed}:\n{cfg}\n{}{}", o.stdout, o.stderr);
        let o = w.run(&["plan", "--detailed-exitcode"]);
        assert_eq!(
            o.code, 0,
            "seed {seed}: changes right after apply\n{cfg}\n{}{}",
            o.stdout, o.stderr
        );
        w.run(&["destroy", "--auto-approve"]).ok();
    }
}
