//! What the simulated region sells: notebook flavors and images, DevServer flavors and
//! images, DevEnviron profiles and flavors. Holds every name the API documents use in
//! their examples plus a realistic handful more; replaceable from a JSON file.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NotebookFlavor {
    pub id: String,
    pub category: String,
    pub arch: String,
    pub vcpus: u32,
    pub memory: u64,
    #[serde(default)]
    pub gpu: Option<(u32, String)>,
    #[serde(default)]
    pub free: bool,
    #[serde(default)]
    pub sold_out: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NotebookImage {
    pub id: String,
    pub name: String,
    pub tag: String,
    pub arch: String,
    pub category: String,
    #[serde(default = "build_in")]
    pub r#type: String,
}

fn build_in() -> String {
    "BUILD_IN".into()
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ServerFlavor {
    pub flavor: String,
    pub arch: String,
    pub server_type: String,
    pub specification: String,
    #[serde(default)]
    pub sold_out: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ServerImage {
    pub image_id: String,
    pub name: String,
    pub arch: String,
    pub server_type: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DevenvProfile {
    pub id: String,
    pub description: String,
    pub flavor_type: String,
    pub image_name: String,
    pub image_tag: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DevenvFlavor {
    pub name: String,
    pub r#type: String,
    pub cpu: u32,
    pub gpu: u32,
    pub memory: String,
    #[serde(default)]
    pub free: bool,
    /// The GPU model of a GPU flavor (`params.gpu_type`).
    #[serde(default)]
    pub gpu_type: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Catalog {
    pub notebook_flavors: Vec<NotebookFlavor>,
    pub notebook_images: Vec<NotebookImage>,
    pub server_flavors: Vec<ServerFlavor>,
    pub server_images: Vec<ServerImage>,
    pub devenv_profiles: Vec<DevenvProfile>,
    pub devenv_flavors: Vec<DevenvFlavor>,
}

fn nf(
    id: &str,
    category: &str,
    arch: &str,
    vcpus: u32,
    memory: u64,
    gpu: Option<(u32, &str)>,
) -> NotebookFlavor {
    NotebookFlavor {
        id: id.into(),
        category: category.into(),
        arch: arch.into(),
        vcpus,
        memory,
        gpu: gpu.map(|(n, t)| (n, t.into())),
        free: id.ends_with(".free"),
        sold_out: false,
    }
}

fn ni(id: &str, name: &str, tag: &str, arch: &str, category: &str) -> NotebookImage {
    NotebookImage {
        id: id.into(),
        name: name.into(),
        tag: tag.into(),
        arch: arch.into(),
        category: category.into(),
        r#type: build_in(),
    }
}

impl Default for Catalog {
    fn default() -> Self {
        let mut sold = nf(
            "modelarts.vm.gpu.a100",
            "GPU",
            "x86_64",
            24,
            196608,
            Some((1, "A100")),
        );
        sold.sold_out = true;
        Catalog {
            notebook_flavors: vec![
                nf("modelarts.vm.cpu.free", "CPU", "x86_64", 1, 4096, None),
                nf("modelarts.vm.cpu.2u", "CPU", "x86_64", 2, 8192, None),
                nf("modelarts.vm.cpu.8u", "CPU", "x86_64", 8, 32768, None),
                nf(
                    "modelarts.vm.gpu.free",
                    "GPU",
                    "x86_64",
                    4,
                    16384,
                    Some((1, "T4")),
                ),
                nf(
                    "modelarts.vm.gpu.t4",
                    "GPU",
                    "x86_64",
                    8,
                    32768,
                    Some((1, "T4")),
                ),
                nf(
                    "modelarts.vm.gpu.p100",
                    "GPU",
                    "x86_64",
                    8,
                    65536,
                    Some((1, "P100")),
                ),
                nf(
                    "modelarts.vm.gpu.v100",
                    "GPU",
                    "x86_64",
                    8,
                    65536,
                    Some((1, "V100")),
                ),
                sold,
                nf(
                    "modelarts.bm.npu.arm.8snt9b3.d",
                    "ASCEND",
                    "aarch64",
                    192,
                    1572864,
                    Some((8, "snt9b3")),
                ),
            ],
            notebook_images: vec![
                ni(
                    "e1a07296-22a8-4f05-8bc8-e936c8e54090",
                    "notebook2.0-mul-kernel-cpu-cp36",
                    "3.3.2-release_v1",
                    "x86_64",
                    "CPU",
                ),
                ni(
                    "278e88d1-5b71-4766-8502-b3ba72e824d9",
                    "pytorch1.8-cuda10.2-cudnn7-ubuntu18.04",
                    "6.3.2",
                    "x86_64",
                    "GPU",
                ),
                ni(
                    "59a1ea63-6ff7-45ae-9fd1-5b6bc3e41d06",
                    "tensorflow2.1-cuda10.1-cudnn7-ubuntu18.04",
                    "6.3.2",
                    "x86_64",
                    "GPU",
                ),
                ni(
                    "c6cd6e43-8b4b-4d4f-9a5e-0a1c1d3f6a21",
                    "mindspore1.7.0-cuda10.1-py3.7-ubuntu18.04",
                    "6.3.2",
                    "x86_64",
                    "GPU",
                ),
                ni(
                    "a2f1f2a7-3e0c-4f77-9a5b-4d2e8b1c9e30",
                    "pytorch2.1-cpu-py3.10-ubuntu22.04",
                    "7.0.1",
                    "x86_64",
                    "CPU",
                ),
                ni(
                    "9d3c1b0e-7a44-4c1e-b0a9-1f6e2d5c8b47",
                    "mindspore2.2-cann7.0-py3.9-euler2.10",
                    "7.0.1",
                    "aarch64",
                    "ASCEND",
                ),
            ],
            server_flavors: vec![
                ServerFlavor {
                    flavor: "Si2.large.4".into(),
                    arch: "X86".into(),
                    server_type: "ECS".into(),
                    specification: "2 vCPUs | 8 GiB".into(),
                    sold_out: false,
                },
                ServerFlavor {
                    flavor: "Si2.2xlarge.4".into(),
                    arch: "X86".into(),
                    server_type: "ECS".into(),
                    specification: "8 vCPUs | 32 GiB".into(),
                    sold_out: false,
                },
                ServerFlavor {
                    flavor: "p2s.2xlarge.8".into(),
                    arch: "X86".into(),
                    server_type: "ECS".into(),
                    specification: "8 vCPUs | 64 GiB | 1*V100".into(),
                    sold_out: false,
                },
                ServerFlavor {
                    flavor: "kAi2p.12xlarge.8".into(),
                    arch: "ARM".into(),
                    server_type: "ECS".into(),
                    specification: "48 vCPUs | 384 GiB | 2*snt9".into(),
                    sold_out: false,
                },
                ServerFlavor {
                    flavor: "physical.kat2ne.48xlarge.8.ei.pod101".into(),
                    arch: "ARM".into(),
                    server_type: "BMS".into(),
                    specification: "192 vCPUs | 1536 GiB | 8*snt9b".into(),
                    sold_out: false,
                },
            ],
            server_images: vec![
                ServerImage {
                    image_id: "c90fb553-2cdb-4b81-b56a-ef68812c6cf7".into(),
                    name: "Ubuntu18.04_x86_64_CPU".into(),
                    arch: "X86".into(),
                    server_type: "ECS".into(),
                },
                ServerImage {
                    image_id: "3e3b6bd0-3f1c-4b8e-8a0f-6b1d3b9c2f10".into(),
                    name: "Ubuntu22.04_x86_64_GPU_CUDA12".into(),
                    arch: "X86".into(),
                    server_type: "ECS".into(),
                },
                ServerImage {
                    image_id: "7a1d2c3b-4e5f-4a6b-9c8d-0e1f2a3b4c5d".into(),
                    name: "EulerOS2.10_aarch64_snt9".into(),
                    arch: "ARM".into(),
                    server_type: "ECS".into(),
                },
                ServerImage {
                    image_id: "0b9c8d7e-6f5a-4b3c-8d2e-1f0a9b8c7d6e".into(),
                    name: "EulerOS2.10_aarch64_snt9b_BMS".into(),
                    arch: "ARM".into(),
                    server_type: "BMS".into(),
                },
            ],
            devenv_profiles: vec![
                DevenvProfile {
                    id: "Multi-Engine 1.0 (python2)-cpu".into(),
                    description: "multi engine, cpu, python 2.7 for notebook".into(),
                    flavor_type: "CPU".into(),
                    image_name: "mul-kernel-cpu-cp27".into(),
                    image_tag: "2.0.5-B003".into(),
                },
                DevenvProfile {
                    id: "Multi-Engine 1.0 (python2)-gpu".into(),
                    description: "multi engine, gpu, python 2.7 for notebook".into(),
                    flavor_type: "GPU".into(),
                    image_name: "mul-kernel-gpu-cuda-cp27".into(),
                    image_tag: "2.0.5-B003".into(),
                },
                DevenvProfile {
                    id: "Multi-Engine 1.0 (python3)-cpu".into(),
                    description: "multi engine, cpu, python 3.6 for notebook".into(),
                    flavor_type: "CPU".into(),
                    image_name: "mul-kernel-cpu-cp36".into(),
                    image_tag: "2.0.5-B003".into(),
                },
                DevenvProfile {
                    id: "Multi-Engine 1.0 (python3)-gpu".into(),
                    description: "multi engine, gpu, python 3.6 for notebook".into(),
                    flavor_type: "GPU".into(),
                    image_name: "mul-kernel-gpu-cuda-cp36".into(),
                    image_tag: "2.0.5-B003".into(),
                },
                DevenvProfile {
                    id: "Multi-Engine 2.0 (python3)".into(),
                    description: "multi engine 2.0, python 3.6".into(),
                    flavor_type: "CPU".into(),
                    image_name: "mul-kernel-cp36".into(),
                    image_tag: "3.0.1".into(),
                },
                DevenvProfile {
                    id: "Python3-gpu".into(),
                    description: "python 3, gpu".into(),
                    flavor_type: "GPU".into(),
                    image_name: "python3-gpu".into(),
                    image_tag: "1.0.0".into(),
                },
            ],
            devenv_flavors: vec![
                DevenvFlavor {
                    name: "modelarts.vm.cpu.free".into(),
                    r#type: "CPU".into(),
                    cpu: 1,
                    gpu: 0,
                    memory: "4GiB".into(),
                    free: true,
                    gpu_type: None,
                },
                DevenvFlavor {
                    name: "modelarts.vm.gpu.free".into(),
                    r#type: "GPU".into(),
                    cpu: 4,
                    gpu: 1,
                    memory: "16GiB".into(),
                    free: true,
                    gpu_type: Some("T4".into()),
                },
                DevenvFlavor {
                    name: "modelarts.vm.cpu.2u".into(),
                    r#type: "CPU".into(),
                    cpu: 2,
                    gpu: 0,
                    memory: "8GiB".into(),
                    free: false,
                    gpu_type: None,
                },
                DevenvFlavor {
                    name: "modelarts.vm.cpu.8u".into(),
                    r#type: "CPU".into(),
                    cpu: 8,
                    gpu: 0,
                    memory: "32GiB".into(),
                    free: false,
                    gpu_type: None,
                },
                DevenvFlavor {
                    name: "modelarts.vm.gpu.p100".into(),
                    r#type: "GPU".into(),
                    cpu: 8,
                    gpu: 1,
                    memory: "64GiB".into(),
                    free: false,
                    gpu_type: Some("P100".into()),
                },
                DevenvFlavor {
                    name: "modelarts.bm.gpu.v100".into(),
                    r#type: "GPU".into(),
                    cpu: 8,
                    gpu: 1,
                    memory: "64GiB".into(),
                    free: false,
                    gpu_type: Some("V100".into()),
                },
                DevenvFlavor {
                    name: "modelarts.bm.gpu.v100NV32".into(),
                    r#type: "GPU".into(),
                    cpu: 8,
                    gpu: 1,
                    memory: "64GiB".into(),
                    free: false,
                    gpu_type: Some("v100NV32".into()),
                },
            ],
        }
    }
}

impl Catalog {
    pub fn load(path: &std::path::Path) -> anyhow::Result<Catalog> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read catalog {}: {e}", path.display()))?;
        serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("catalog {} is not valid: {e}", path.display()))
    }

    pub fn notebook_flavor(&self, id: &str) -> Option<&NotebookFlavor> {
        self.notebook_flavors.iter().find(|f| f.id == id)
    }
    pub fn notebook_image(&self, id: &str) -> Option<&NotebookImage> {
        self.notebook_images.iter().find(|i| i.id == id)
    }
    pub fn server_flavor(&self, name: &str) -> Option<&ServerFlavor> {
        self.server_flavors.iter().find(|f| f.flavor == name)
    }
    pub fn server_image(&self, id: &str) -> Option<&ServerImage> {
        self.server_images.iter().find(|i| i.image_id == id)
    }
    pub fn devenv_profile(&self, id: &str) -> Option<&DevenvProfile> {
        self.devenv_profiles.iter().find(|p| p.id == id)
    }
    pub fn devenv_flavor(&self, name: &str) -> Option<&DevenvFlavor> {
        self.devenv_flavors.iter().find(|f| f.name == name)
    }
}

impl NotebookFlavor {
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "id": self.id, "name": self.id, "arch": self.arch, "category": self.category,
            "description": format!("{} | {} vCPUs | {} GiB", self.category, self.vcpus, self.memory / 1024),
            "feature": "NOTEBOOK", "free": self.free, "sold_out": self.sold_out,
            "memory": self.memory, "vcpus": self.vcpus,
            "billing": {"code": format!("{}.billing", self.id), "unit_num": 1},
            "storages": ["EVS", "EFS", "OBSFS"], "evs_max_size": "4096",
        });
        if let Some((n, t)) = &self.gpu {
            let key = if self.category == "ASCEND" {
                "ascend"
            } else {
                "gpu"
            };
            v[key] = if key == "gpu" {
                json!({"gpu": n, "gpu_memory": "16GiB", "type": t})
            } else {
                json!({"npu": n, "npu_memory": "64GiB", "type": t, "chip": n})
            };
        }
        v
    }
}

impl NotebookImage {
    pub fn to_json(&self) -> Value {
        json!({
            // The documents spell architectures in upper case (X86_64, AARCH64); the
            // image's size is in KB.
            "id": self.id, "name": self.name, "tag": self.tag, "arch": self.arch.to_ascii_uppercase(), "type": self.r#type,
            "size": 6_291_456, "flavor_type": self.category,
            "swr_path": format!("swr.sim.myhuaweicloud.com/atelier/{}:{}", self.name, self.tag),
            "namespace": "atelier", "origin": "CUSTOMIZE", "service_type": "UNKNOWN",
            "resource_categories": [self.category], "support_res_categories": [self.category],
            "dev_services": ["NOTEBOOK", "SSH"], "status": "ACTIVE", "visibility": "PUBLIC",
            "workspace_id": "0", "description": "", "create_at": 1700000000000u64, "update_at": 1700000000000u64,
        })
    }
}

impl ServerFlavor {
    pub fn to_json(&self) -> Value {
        json!({
            "flavor": self.flavor, "arch": self.arch, "server_type": self.server_type,
            "specification": self.specification, "charging_mode": "COMMON", "status": "normal",
            "is_sold_out": self.sold_out, "availability_zone": "az1", "count": 100,
            "flavor_type": if self.specification.contains('*') { "GPU" } else { "CPU" },
            "sku_code": format!("{}.sku", self.flavor), "roce_num": 0,
        })
    }
}

impl ServerImage {
    pub fn to_json(&self) -> Value {
        json!({"image_id": self.image_id, "name": self.name, "arch": self.arch,
               "server_type": self.server_type, "status": "ACTIVE"})
    }
}

impl DevenvProfile {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id, "name": self.id, "description": self.description, "de_type": "Notebook",
            "flavor_type": self.flavor_type,
            // The example's provision: the profile's default flavor among its annotations,
            // and the documented null `params.annotations`.
            "provision": {"type": "Docker", "annotations": {"category": self.id.split(" (").next().unwrap_or(""), "type": "system",
                                                          "flavor": if self.flavor_type == "GPU" { "modelarts.vm.gpu.p100" } else { "modelarts.vm.cpu.2u" }},
                          "spec": {"engine": "CCE", "params": {"namespace": "atelier", "image_name": self.image_name, "image_tag": self.image_tag, "annotations": null}}},
            "labels": {},
        })
    }
}

impl DevenvFlavor {
    /// The flavor as the service describes it, with the number of instances of it that
    /// exist (`instance_num`). Every flavor supports every storage type (the documented
    /// default of `storage_list`), and inactive instances are kept for ever (`store_time`
    /// -1).
    pub fn to_json(&self, instance_num: usize) -> Value {
        let mut params = json!({"CPU": self.cpu, "GPU": self.gpu, "memory": self.memory});
        if let Some(t) = &self.gpu_type {
            params["gpu_type"] = json!(t);
        }
        json!({
            "name": self.name, "status": "onSale", "type": self.r#type, "queuing_num": 0,
            "is_permitted": true, "promo_type": if self.free { "Free" } else { "NoDiscount" },
            "params": params, "storage_list": ["obs", "evs", "efs"],
            "instance_num": instance_num, "store_time": -1,
        })
    }
}
