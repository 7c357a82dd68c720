//! Every field of every create document: set in HCL, sent in the request (checked on the
//! simulator side), read back, and no diff afterwards.

mod common;
use common::*;
use serde_json::{json, Value};

const ALL_FIELDS: &str = r##"
variable "pass" {
  type      = string
  sensitive = true
  default   = "Round-Tr1p!"
}

resource "modelarts_notebook" "full" {
  name         = "nb-full"
  description  = "every field"
  flavor       = "modelarts.vm.cpu.8u"
  image_id     = "e1a07296-22a8-4f05-8bc8-e936c8e54090"
  feature      = "notebook"
  duration     = 7200000
  pool_id      = "pool-test1202-06024304be00d5092fbdc0013d201342"
  workspace_id = "0"

  volume {
    category        = "evs"
    ownership       = "managed"
    capacity        = 50
    mount_path      = "/home/ma-user/work/"
    read_only       = false
    dew_secret_name = "my-secret"
  }

  endpoints {
    service            = "ssh"
    key_pair_names     = ["kp-a"]
    allowed_access_ips = ["1.2.3.4", "5.6.7.8"]
  }

  endpoints {
    service = "notebook"
  }

  lease {
    duration = 7200000
    type     = "timing"
  }

  hooks {
    container_hooks {
      pre_start {
        script = "L2hvbWUvbWEtdXNlci9wcmUuc2g="
        type   = "script"
      }
      post_start {
        script = "echo started"
        type   = "command"
        mode   = "sync"
      }
    }
  }

  affinity {
    required_during_scheduling_ignored_during_execution {
      key      = "kubernetes.io/hostname"
      operator = "In"
      values   = ["192.168.1.1"]
    }
    preferred_during_scheduling_ignored_during_execution {
      key      = "kubernetes.io/hostname"
      operator = "In"
      values   = ["192.168.1.2"]
      weight   = 80
    }
  }

  run_user {
    uid = 0
    gid = 0
  }

  data_volumes {
    category   = "obsfs"
    ownership  = "dedicated"
    uri        = "obs://bucket/data/"
    mount_path = "/data/ds/"
    read_only  = true
  }

  user_vpc {
    vpc_id             = "vpc-1"
    subnet_id          = "subnet-1"
    security_group_ids = ["sg-1"]
    connect_cidrs      = ["10.0.0.0/8"]
    nat_id             = "nat-1"
    eip_id             = "eip-1"
  }

  public_network_config {
    public_network_type = "EIP"
  }
}

resource "modelarts_notebook" "custom" {
  name     = "nb-custom"
  image_id = "278e88d1-5b71-4766-8502-b3ba72e824d9"
  pool_id  = "pool-gpu"

  custom_spec {
    cpu             = 0.5
    memory          = 4096
    gpu             = 1
    gpu_type        = "T4"
    arch            = "x86_64"
    category        = "gpu"
    resource_flavor = "custom.gpu"
  }

  volume {
    category = "efs"
    ownership = "dedicated"
    uri      = "192.168.0.1:/share"
    id       = "efs-1"
  }
}

resource "modelarts_devserver" "full" {
  name                  = "ds-full"
  resource_flavor       = "Si2.large.4"
  image_id              = "c90fb553-2cdb-4b81-b56a-ef68812c6cf7"
  server_type           = "ecs"
  arch                  = "x86"
  availability_zone     = "az1"
  admin_pass            = var.pass
  enterprise_project_id = "0"
  user_data             = base64encode("#!/bin/sh\necho hi")
  hps_cluster_id        = "hps-1"

  network {
    vpc_id            = "vpc-1"
    subnet_id         = "subnet-1"
    security_group_id = "sg-1"
    ipv6_enable       = true
    roce_id           = "roce-1"
  }

  root_volume {
    size = 150
    type = "essd"
  }

  data_volume {
    size  = 100
    type  = "ssd"
    count = 2
  }

  charging_info {
    charging_mode = "post_paid"
    period_type   = "month"
    period_num    = 1
    is_auto_renew = false
    is_auto_pay   = true
  }
}

resource "modelarts_devenv" "full" {
  name        = "de-full"
  profile_id  = "Multi-Engine 2.0 (python3)"
  flavor      = "modelarts.vm.cpu.8u"
  description = "every field"

  spec {
    storage {
      type = "obsfs"
      location {
        path         = "team-bucket"
        mount_path   = "/home/ma-user/work"
        access_modes = "ReadWriteMany"
      }
    }
    extend_storage {
      type = "obsfs"
      location {
        path         = "extra-bucket"
        mount_path   = "/home/ma-user/extra"
        access_modes = "ReadOnlyMany"
      }
    }
    auto_stop {
      enable   = true
      duration = 3600
      prompt   = false
    }
    annotations = {
      owner = "alice"
    }
  }

  workspace {
    id = "0"
  }

  pool {
    id   = "pool-1"
    type = "USER_DEFINED"
    name = "my-pool"
    owner {
      project_id = "0123456789abcdef0123456789abcdef"
    }
  }

  ai_project {
    id = "default-ai-project"
  }
}
"##;

fn request_of(sim: &Sim, kind: &str, name: &str) -> Value {
    sim.objects(kind)
        .into_iter()
        .find(|o| o["body"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name}"))["request"]
        .clone()
}

#[test]
fn every_create_field_is_sent_read_back_and_stable() {
    let sim = Sim::start(&[]);
    let w = Work::new(Some(&sim), &[("main.hcl", ALL_FIELDS)]);
    let o = w.run(&["apply", "--auto-approve"]);
    o.ok();
    assert!(!o.stdout.contains("Round-Tr1p!"));

    let nb = request_of(&sim, "notebooks", "nb-full");
    for (k, v) in [
        ("description", json!("every field")),
        ("flavor", json!("modelarts.vm.cpu.8u")),
        ("feature", json!("NOTEBOOK")),
        ("duration", json!(7200000)),
        (
            "pool_id",
            json!("pool-test1202-06024304be00d5092fbdc0013d201342"),
        ),
        ("workspace_id", json!("0")),
        ("lease", json!({"duration": 7200000, "type": "TIMING"})),
        ("run_user", json!({"uid": 0, "gid": 0})),
        (
            "public_network_config",
            json!({"public_network_type": "EIP"}),
        ),
    ] {
        assert_eq!(nb[k], v, "notebook {k}: {nb}");
    }
    assert_eq!(
        nb["volume"],
        json!({"category": "EVS", "ownership": "MANAGED", "capacity": 50, "mount_path": "/home/ma-user/work/", "read_only": false, "dew_secret_name": "my-secret"})
    );
    assert_eq!(
        nb["endpoints"][0],
        json!({"service": "SSH", "key_pair_names": ["kp-a"], "allowed_access_ips": ["1.2.3.4", "5.6.7.8"]})
    );
    assert_eq!(
        nb["hooks"]["container_hooks"]["post_start"],
        json!({"script": "echo started", "type": "COMMAND", "mode": "sync"})
    );
    assert_eq!(
        nb["affinity"]["preferred_during_scheduling_ignored_during_execution"][0]["weight"],
        80
    );
    assert_eq!(nb["data_volumes"][0]["uri"], "obs://bucket/data/");
    assert_eq!(nb["user_vpc"]["connect_cidrs"], json!(["10.0.0.0/8"]));
    let custom = request_of(&sim, "notebooks", "nb-custom");
    assert_eq!(
        custom["custom_spec"],
        json!({"cpu": 0.5, "memory": 4096, "gpu": 1, "gpu_type": "T4", "arch": "x86_64", "category": "GPU", "resource_flavor": "custom.gpu"})
    );
    assert_eq!(custom["volume"]["id"], "efs-1");

    let ds = request_of(&sim, "dev-servers", "ds-full");
    for (k, v) in [
        ("resource_flavor", json!("Si2.large.4")),
        ("server_type", json!("ECS")),
        ("arch", json!("X86")),
        ("availability_zone", json!("az1")),
        ("enterprise_project_id", json!("0")),
        ("hps_cluster_id", json!("hps-1")),
        (
            "network",
            json!({"vpc_id": "vpc-1", "subnet_id": "subnet-1", "security_group_id": "sg-1", "ipv6_enable": true, "roce_id": "roce-1"}),
        ),
        ("root_volume", json!({"size": 150, "type": "ESSD"})),
        (
            "data_volume",
            json!({"size": 100, "type": "SSD", "count": 2}),
        ),
        (
            "charging_info",
            json!({"charging_mode": "POST_PAID", "period_type": "MONTH", "period_num": 1, "is_auto_renew": false, "is_auto_pay": true}),
        ),
    ] {
        assert_eq!(ds[k], v, "devserver {k}");
    }
    assert!(ds["admin_pass"].as_str().unwrap().starts_with("$argon2id$"));
    assert_eq!(ds["user_data"], "IyEvYmluL3NoCmVjaG8gaGk=");

    let de = request_of(&sim, "devenvs", "de-full");
    assert_eq!(
        de["spec"]["extend_storage"][0]["location"]["path"],
        "extra-bucket"
    );
    assert_eq!(
        de["spec"]["auto_stop"],
        json!({"enable": true, "duration": 3600, "prompt": false})
    );
    assert_eq!(de["pool"]["owner"]["project_id"], PROJECT);
    assert_eq!(de["ai_project"]["id"], "default-ai-project");

    // Read back: no diff.
    let o = w.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    // And the state never holds the password in clear in what show prints.
    let o = w.run(&["show", "--json"]);
    o.ok();
    assert!(!o.stdout.contains("Round-Tr1p!"));
    let j: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    let res = &j["values"]["root_module"]["resources"];
    assert!(
        res.as_array()
            .unwrap()
            .iter()
            .any(|r| r["sensitive_values"]["admin_pass"] == true
                && r["values"]["admin_pass"].is_null()),
        "{}",
        o.stdout
    );
}
