//! Generates a large, deterministic Terraform plan for benchmarks and tests:
//!
//!     cargo run --release --example gen_plan -- --resources 100000 --out big.json [--seed 1] [--lambda-percent 1]
//!         [--unknown-percent P] [--module-depth D]
//!
//! The plan has the shape `terraform show -json` writes (format 1.2): every resource appears in
//! `planned_values`, in `resource_changes` (`before` and `after`) and in `prior_state`, about 7 KB
//! each. Lambda functions mix Active, PassThrough, omitted (the whole block unknown at create),
//! module-fed (the mode comes from a module call's input) and unknown (computed during apply)
//! modes; `--unknown-percent` sets the share of functions whose mode is unknown until apply
//! (default: one in ten, as the other kinds), `--module-depth` how deep the modules of resources
//! in modules nest (default 1). The expected verdict counts are printed as JSON and written to `<out>.expected.json`.

use std::fmt::Write as _;
use std::io::{BufWriter, Write};

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Active,
    PassThrough,
    Omitted,
    ModuleFed { active: bool },
    Unknown,
    Other(&'static str),
}

struct Resource {
    address: String,
    module: Option<String>,
    rtype: &'static str,
    name: String,
    kind: Kind,
    no_op: bool,
    values: String,
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

const OTHER_TYPES: [&str; 4] = [
    "aws_instance",
    "aws_s3_bucket",
    "aws_iam_role",
    "aws_security_group",
];

fn values(rng: &mut Rng, resource: &Resource) -> String {
    let mut out = String::with_capacity(2048);
    let id = rng.next();
    write!(
        out,
        r#"{{"arn":"arn:aws:service:eu-west-1:123456789012:resource/{name}-{id:016x}","description":"generated resource {name} for benchmarks, with enough text to look like a real attribute set","tags":{{"Name":"{name}","team":"platform","cost-center":"cc-{cc}","environment":"production"}},"tags_all":{{"Name":"{name}","team":"platform","cost-center":"cc-{cc}","environment":"production","managed-by":"terraform"}},"timeouts":null,"policy":"{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:ListBucket\"],\"Resource\":\"arn:aws:s3:::bucket-{cc}/*\"}}]}}","#,
        name = resource.name,
        cc = id % 997
    )
    .unwrap();
    // A base64-like blob, as user data and inline code make real plans heavy.
    out.push_str(r#""user_data_base64":""#);
    let mut state = id | 1;
    for _ in 0..1160 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.push(BASE64[(state % 64) as usize] as char);
    }
    out.push_str("\",");
    write!(out, r#""ingress":["#).unwrap();
    for port in 0..6 {
        if port > 0 {
            out.push(',');
        }
        write!(
            out,
            r#"{{"cidr_blocks":["10.{a}.{b}.0/24"],"description":"rule {port}","from_port":{p},"protocol":"tcp","to_port":{p},"self":false}}"#,
            a = id % 256,
            b = (id >> 8) % 256,
            p = 8000 + port
        )
        .unwrap();
    }
    out.push_str("],");
    match resource.kind {
        Kind::Active | Kind::ModuleFed { active: true } => {
            out.push_str(r#""tracing_config":[{"mode":"Active"}],"#)
        }
        Kind::PassThrough | Kind::ModuleFed { active: false } => {
            out.push_str(r#""tracing_config":[{"mode":"PassThrough"}],"#)
        }
        Kind::Unknown => out.push_str(r#""tracing_config":[{}],"#),
        Kind::Omitted | Kind::Other(_) => {}
    }
    write!(
        out,
        r#""function_name":"{}","memory_size":{}}}"#,
        resource.name,
        128 << (id % 4)
    )
    .unwrap();
    out
}

fn unknown_of(resource: &Resource) -> &'static str {
    match resource.kind {
        Kind::Omitted => r#"{"arn":true,"id":true,"tracing_config":true}"#,
        Kind::Unknown => r#"{"arn":true,"id":true,"tracing_config":[{"mode":true}]}"#,
        Kind::Other(_) => r#"{"arn":true,"id":true}"#,
        _ => r#"{"arn":true,"id":true,"tracing_config":[{}]}"#,
    }
}

/// Expected verdict counts of a generated plan.
pub struct Counts {
    pub functions: usize,
    pub pass: usize,
    pub fail: usize,
    pub unknown: usize,
}

/// Writes a plan of `count` resources to `w`; the same seed gives the same bytes.
pub fn generate(
    count: usize,
    seed: u64,
    lambda_percent: u64,
    w: &mut impl Write,
) -> std::io::Result<Counts> {
    generate_with(count, seed, lambda_percent, None, 1, w)
}

/// [`generate`] with the share of unknown modes (percent of functions; `None`: one kind in ten)
/// and the depth of module nesting.
pub fn generate_with(
    count: usize,
    seed: u64,
    lambda_percent: u64,
    unknown_percent: Option<u64>,
    module_depth: usize,
    w: &mut impl Write,
) -> std::io::Result<Counts> {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);

    let mut resources = Vec::with_capacity(count);
    let (mut pass, mut fail, mut unknown) = (0usize, 0usize, 0usize);
    for i in 0..count {
        let lambda = rng.below(100) < lambda_percent;
        let kind = if lambda {
            let bucket = match unknown_percent {
                None => rng.below(10),
                Some(p) if rng.below(100) < p => 9,
                Some(_) => rng.below(9),
            };
            match bucket {
                0..=2 => Kind::Active,
                3..=4 => Kind::PassThrough,
                5..=6 => Kind::Omitted,
                7..=8 => Kind::ModuleFed {
                    active: rng.below(2) == 0,
                },
                _ => Kind::Unknown,
            }
        } else {
            Kind::Other(OTHER_TYPES[rng.below(4) as usize])
        };
        let rtype = match kind {
            Kind::Other(t) => t,
            _ => "aws_lambda_function",
        };
        let (module, name) = match kind {
            Kind::ModuleFed { .. } => (Some(format!("module.fn_{i}")), "this".to_owned()),
            _ if rng.below(5) == 0 => {
                let nested: String = (1..module_depth.max(1))
                    .map(|d| format!(".module.inner_{}", (i / (d * 7)) % 5))
                    .collect();
                (
                    Some(format!("module.stack_{}{nested}", i % 50)),
                    format!("r{i}"),
                )
            }
            _ => (None, format!("r{i}")),
        };
        let address = match &module {
            Some(m) => format!("{m}.{rtype}.{name}"),
            None => format!("{rtype}.{name}"),
        };
        match kind {
            Kind::Active | Kind::ModuleFed { active: true } => pass += 1,
            Kind::PassThrough | Kind::Omitted | Kind::ModuleFed { active: false } => fail += 1,
            Kind::Unknown => unknown += 1,
            Kind::Other(_) => {}
        }
        let no_op = !matches!(kind, Kind::Omitted | Kind::Unknown) && rng.below(3) == 0;
        let mut resource = Resource {
            address,
            module,
            rtype,
            name,
            kind,
            no_op,
            values: String::new(),
        };
        resource.values = values(&mut rng, &resource);
        resources.push(resource);
    }

    w.write_all(br#"{"format_version":"1.2","terraform_version":"1.11.4","variables":{"region":{"value":"eu-west-1"}},"planned_values":{"root_module":{"resources":["#)?;
    let entry = |r: &Resource| {
        format!(
            r#"{{"address":"{}","mode":"managed","type":"{}","name":"{}","provider_name":"registry.terraform.io/hashicorp/aws","schema_version":0,"values":{},"sensitive_values":{{}}}}"#,
            r.address, r.rtype, r.name, r.values
        )
    };
    for (i, r) in resources.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        w.write_all(entry(r).as_bytes())?;
    }
    w.write_all(br#"]}},"resource_changes":["#)?;
    for (i, r) in resources.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        let module_address = r
            .module
            .as_ref()
            .map(|m| format!(r#""module_address":"{m}","#))
            .unwrap_or_default();
        let (actions, before) = if r.no_op {
            (r#"["no-op"]"#, r.values.as_str())
        } else {
            (r#"["create"]"#, "null")
        };
        write!(
            w,
            r#"{{"address":"{}",{module_address}"mode":"managed","type":"{}","name":"{}","provider_name":"registry.terraform.io/hashicorp/aws","change":{{"actions":{actions},"before":{before},"after":{},"after_unknown":{},"before_sensitive":{{}},"after_sensitive":{{}}}}}}"#,
            r.address,
            r.rtype,
            r.name,
            r.values,
            unknown_of(r)
        )?;
    }
    w.write_all(br#"],"prior_state":{"format_version":"1.0","terraform_version":"1.11.4","values":{"root_module":{"resources":["#)?;
    for (i, r) in resources.iter().filter(|r| r.no_op).enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        w.write_all(entry(r).as_bytes())?;
    }
    w.write_all(br#"]}}},"configuration":{"provider_config":{"aws":{"name":"aws","full_name":"registry.terraform.io/hashicorp/aws"}},"root_module":{"resources":["#)?;
    let mut first = true;
    for r in resources
        .iter()
        .filter(|r| r.module.is_none() && r.rtype == "aws_lambda_function")
    {
        let tracing = match r.kind {
            Kind::Active => r#","tracing_config":[{"mode":{"constant_value":"Active"}}]"#,
            Kind::PassThrough => r#","tracing_config":[{"mode":{"constant_value":"PassThrough"}}]"#,
            Kind::Unknown => {
                r#","tracing_config":[{"mode":{"references":["aws_ssm_parameter.mode.value","aws_ssm_parameter.mode"]}}]"#
            }
            _ => "",
        };
        write!(
            w,
            r#"{}{{"address":"{}","mode":"managed","type":"aws_lambda_function","name":"{}","provider_config_key":"aws","expressions":{{"function_name":{{"constant_value":"{}"}}{tracing}}},"schema_version":0}}"#,
            if first { "" } else { "," },
            r.address,
            r.name,
            r.name
        )?;
        first = false;
    }
    w.write_all(br#"],"module_calls":{"#)?;
    let mut first = true;
    for r in resources.iter() {
        if let (Some(module), Kind::ModuleFed { active }) = (&r.module, r.kind) {
            let name = module.trim_start_matches("module.");
            write!(
                w,
                r#"{}"{name}":{{"source":"./modules/fn","expressions":{{"tracing_mode":{{"constant_value":"{}"}}}},"module":{{"resources":[{{"address":"aws_lambda_function.this","mode":"managed","type":"aws_lambda_function","name":"this","provider_config_key":"aws","expressions":{{"tracing_config":[{{"mode":{{"references":["var.tracing_mode"]}}}}]}},"schema_version":0}}],"variables":{{"tracing_mode":{{"default":null}}}}}}}}"#,
                if first { "" } else { "," },
                if active { "Active" } else { "PassThrough" }
            )?;
            first = false;
        }
    }
    w.write_all(br#"},"variables":{"region":{"default":"eu-west-1"}}}},"timestamp":"2026-11-25T12:00:00Z","applyable":true,"complete":true,"errored":false}"#)?;
    w.write_all(b"\n")?;
    w.flush()?;
    Ok(Counts {
        functions: pass + fail + unknown,
        pass,
        fail,
        unknown,
    })
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let count: usize = arg("--resources").map_or(1000, |v| v.parse().expect("--resources N"));
    let out_path = arg("--out").unwrap_or_else(|| "plan.json".to_owned());
    let seed: u64 = arg("--seed").map_or(1, |v| v.parse().expect("--seed N"));
    let lambda_percent: u64 =
        arg("--lambda-percent").map_or(1, |v| v.parse().expect("--lambda-percent N"));
    let unknown_percent: Option<u64> =
        arg("--unknown-percent").map(|v| v.parse().expect("--unknown-percent N"));
    let module_depth: usize =
        arg("--module-depth").map_or(1, |v| v.parse().expect("--module-depth N"));
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&out_path)?);
    let counts = generate_with(
        count,
        seed,
        lambda_percent,
        unknown_percent,
        module_depth,
        &mut w,
    )?;
    drop(w);

    let size = std::fs::metadata(&out_path)?.len();
    let expected = format!(
        r#"{{"resources":{count},"bytes":{size},"functions":{},"pass":{},"fail":{},"unknown":{},"skipped":0}}"#,
        counts.functions, counts.pass, counts.fail, counts.unknown
    );
    std::fs::write(format!("{out_path}.expected.json"), format!("{expected}\n"))?;
    println!("{expected}");
    Ok(())
}
