//! A pure IAM identity-policy evaluator for the X-Ray permission rule (issue 15): given the
//! policy documents a role has (as `serde_json::Value`s, each an object or a JSON string of one,
//! the way `after.policy` holds them in a plan), decide for each action whether they Allow it.
//!
//! It follows IAM's evaluation logic for one identity
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>):
//! an explicit Deny wins over any Allow, an Allow grants, and without either the action is not
//! granted (the implicit deny). Actions match case-insensitively, with `*` (any run of
//! characters) and `?` (one character)
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>).
//!
//! What it does not guess: a statement with a `Condition`, with a `Resource` that is not `*`, or
//! with a `NotResource`, applies only in some requests; such a statement makes the decision
//! [`Decision::Conditional`] (where it could change it) instead of being evaluated. X-Ray's
//! actions have no resource types, so AWS evaluates them against `*`
//! (<https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html>);
//! a `Resource` listing `*` therefore covers them.
//!
//! A malformed document (not an object, no `Statement`, a statement with both or neither of
//! `Action`/`NotAction`, an `Effect` other than `Allow`/`Deny`, a `Principal` in an identity
//! policy, a non-string action) is an error value, never a panic: IAM refuses such a policy, so
//! nothing can be concluded from it.
//!
//! Nothing here knows about plans or Terraform: the judge collects the documents.

use serde_json::Value;
use std::fmt;

/// The two actions Lambda's execution role needs for Active tracing
/// (`InvalidParameterValueException: The provided execution role does not have permissions to
/// call PutTraceSegments on XRAY` otherwise).
pub const XRAY_ACTIONS: [&str; 2] = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];

/// What the documents decide for one action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// An Allow covers it and no Deny does.
    Allowed,
    /// An explicit Deny (without condition) covers it.
    Denied,
    /// No statement covers it: the implicit deny.
    NotGranted,
    /// The outcome depends on a statement that applies only in some requests (a `Condition`, a
    /// `Resource` other than `*`, a `NotResource`).
    Conditional,
}

/// Which statement: the document's position in the input and the statement's, and its `Sid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRef {
    pub document: usize,
    pub index: usize,
    pub sid: Option<String>,
}

impl fmt::Display for StatementRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sid {
            Some(sid) => write!(f, "statement {sid:?} of document {}", self.document),
            None => write!(f, "statement {} of document {}", self.index, self.document),
        }
    }
}

/// The decision for one action, with the statement that made it (none for `NotGranted`) and a
/// sentence saying why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionDecision {
    pub action: String,
    pub decision: Decision,
    pub statement: Option<StatementRef>,
    pub reason: String,
}

/// The decisions, one per action asked about, in the order asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub actions: Vec<ActionDecision>,
}

impl Evaluation {
    /// Whether every action asked about is allowed.
    pub fn all_allowed(&self) -> bool {
        self.actions.iter().all(|a| a.decision == Decision::Allowed)
    }

    /// The decision for one action (compared case-insensitively).
    pub fn get(&self, action: &str) -> Option<&ActionDecision> {
        self.actions
            .iter()
            .find(|a| a.action.eq_ignore_ascii_case(action))
    }

    /// The least favourable decision over all actions: Denied, then NotGranted, then
    /// Conditional, then Allowed (an empty evaluation is Allowed).
    pub fn overall(&self) -> Decision {
        let rank = |d: Decision| match d {
            Decision::Denied => 0,
            Decision::NotGranted => 1,
            Decision::Conditional => 2,
            Decision::Allowed => 3,
        };
        self.actions
            .iter()
            .map(|a| a.decision)
            .min_by_key(|d| rank(*d))
            .unwrap_or(Decision::Allowed)
    }
}

/// Why a document cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    /// A JSON string that does not parse as JSON.
    NotJson { document: usize, message: String },
    /// The document (or the string's content) is not a JSON object.
    NotAnObject { document: usize },
    /// `Version` is neither `2012-10-17` nor `2008-10-17`.
    BadVersion { document: usize },
    /// No `Statement`, or one that is neither an object nor an array.
    NoStatement { document: usize },
    /// A statement that is not an object.
    StatementNotObject { document: usize, index: usize },
    /// `Effect` missing or other than `Allow`/`Deny` (IAM's values are case-sensitive).
    BadEffect { document: usize, index: usize },
    /// Both `Action` and `NotAction`, or neither.
    ActionAndNotAction { document: usize, index: usize },
    /// An action that is not a string (or an empty list).
    BadAction { document: usize, index: usize },
    /// Neither `Resource` nor `NotResource`, or both, or a non-string resource.
    BadResource { document: usize, index: usize },
    /// `Principal` or `NotPrincipal`: prohibited in an identity-based policy.
    PrincipalInIdentityPolicy { document: usize, index: usize },
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyError::NotJson { document, message } => {
                write!(f, "document {document} is not JSON: {message}")
            }
            PolicyError::NotAnObject { document } => {
                write!(f, "document {document} is not a JSON object")
            }
            PolicyError::BadVersion { document } => write!(
                f,
                "document {document} has a Version other than 2012-10-17 or 2008-10-17"
            ),
            PolicyError::NoStatement { document } => {
                write!(f, "document {document} has no Statement object or array")
            }
            PolicyError::StatementNotObject { document, index } => {
                write!(f, "statement {index} of document {document} is not an object")
            }
            PolicyError::BadEffect { document, index } => write!(
                f,
                "statement {index} of document {document} has no Effect of Allow or Deny"
            ),
            PolicyError::ActionAndNotAction { document, index } => write!(
                f,
                "statement {index} of document {document} needs exactly one of Action and NotAction"
            ),
            PolicyError::BadAction { document, index } => write!(
                f,
                "statement {index} of document {document} has an action that is not a string"
            ),
            PolicyError::BadResource { document, index } => write!(
                f,
                "statement {index} of document {document} needs exactly one of Resource and NotResource, of strings"
            ),
            PolicyError::PrincipalInIdentityPolicy { document, index } => write!(
                f,
                "statement {index} of document {document} has a Principal, which an identity-based policy may not"
            ),
        }
    }
}

impl std::error::Error for PolicyError {}

/// Parses a policy held as text (as `after.policy` holds it in a plan).
pub fn parse(text: &str) -> Result<Value, PolicyError> {
    serde_json::from_str(text).map_err(|e| PolicyError::NotJson {
        document: 0,
        message: e.to_string(),
    })
}

/// One statement, read.
struct Statement<'a> {
    at: StatementRef,
    allow: bool,
    /// `Action` (true) or `NotAction` (false) and its patterns.
    positive: bool,
    patterns: Vec<&'a str>,
    /// Why it applies only in some requests, if it does.
    conditional: Option<&'static str>,
}

impl Statement<'_> {
    fn covers(&self, action: &str) -> bool {
        let listed = self.patterns.iter().any(|p| matches(p, action));
        listed == self.positive
    }
}

/// Evaluates the documents (each an object, or a JSON string of one) for each action.
pub fn evaluate(documents: &[&Value], actions: &[&str]) -> Result<Evaluation, PolicyError> {
    let mut parsed: Vec<Value> = Vec::new();
    let mut order: Vec<(usize, Option<usize>)> = Vec::new();
    for (d, doc) in documents.iter().enumerate() {
        if let Value::String(text) = doc {
            let value: Value = serde_json::from_str(text).map_err(|e| PolicyError::NotJson {
                document: d,
                message: e.to_string(),
            })?;
            order.push((d, Some(parsed.len())));
            parsed.push(value);
        } else {
            order.push((d, None));
        }
    }
    let mut statements = Vec::new();
    for (d, slot) in order {
        let doc = match slot {
            Some(i) => &parsed[i],
            None => documents[d],
        };
        read_document(d, doc, &mut statements)?;
    }
    Ok(Evaluation {
        actions: actions
            .iter()
            .map(|action| decide(&statements, action))
            .collect(),
    })
}

fn read_document<'a>(
    d: usize,
    doc: &'a Value,
    out: &mut Vec<Statement<'a>>,
) -> Result<(), PolicyError> {
    let object = doc
        .as_object()
        .ok_or(PolicyError::NotAnObject { document: d })?;
    match object.get("Version") {
        None => {}
        Some(Value::String(v)) if v == "2012-10-17" || v == "2008-10-17" => {}
        Some(_) => return Err(PolicyError::BadVersion { document: d }),
    }
    let list: Vec<&Value> = match object.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(item @ Value::Object(_)) => vec![item],
        _ => return Err(PolicyError::NoStatement { document: d }),
    };
    for (i, st) in list.into_iter().enumerate() {
        out.push(read_statement(d, i, st)?);
    }
    Ok(())
}

fn strings(value: &Value) -> Option<Vec<&str>> {
    match value {
        Value::String(s) => Some(vec![s.as_str()]),
        Value::Array(items) if !items.is_empty() => items.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

fn read_statement(d: usize, i: usize, st: &Value) -> Result<Statement<'_>, PolicyError> {
    let st = st.as_object().ok_or(PolicyError::StatementNotObject {
        document: d,
        index: i,
    })?;
    let allow = match st.get("Effect").and_then(Value::as_str) {
        Some("Allow") => true,
        Some("Deny") => false,
        _ => {
            return Err(PolicyError::BadEffect {
                document: d,
                index: i,
            })
        }
    };
    if st.contains_key("Principal") || st.contains_key("NotPrincipal") {
        return Err(PolicyError::PrincipalInIdentityPolicy {
            document: d,
            index: i,
        });
    }
    let (positive, list) = match (st.get("Action"), st.get("NotAction")) {
        (Some(a), None) => (true, a),
        (None, Some(a)) => (false, a),
        _ => {
            return Err(PolicyError::ActionAndNotAction {
                document: d,
                index: i,
            })
        }
    };
    let patterns = strings(list).ok_or(PolicyError::BadAction {
        document: d,
        index: i,
    })?;
    let bad_resource = PolicyError::BadResource {
        document: d,
        index: i,
    };
    let conditional = match (st.get("Resource"), st.get("NotResource")) {
        (Some(r), None) => {
            let resources = strings(r).ok_or(bad_resource)?;
            if resources
                .iter()
                .any(|r| r.chars().all(|c| c == '*') && !r.is_empty())
            {
                None
            } else {
                Some("its Resource is not *")
            }
        }
        (None, Some(r)) => {
            strings(r).ok_or(bad_resource)?;
            Some("it has a NotResource")
        }
        _ => return Err(bad_resource),
    };
    let has_condition = match st.get("Condition") {
        None | Some(Value::Null) => false,
        Some(Value::Object(o)) => !o.is_empty(),
        Some(_) => true,
    };
    let conditional = if has_condition {
        Some("it has a Condition")
    } else {
        conditional
    };
    Ok(Statement {
        at: StatementRef {
            document: d,
            index: i,
            sid: st
                .get("Sid")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        },
        allow,
        positive,
        patterns,
        conditional,
    })
}

fn decide(statements: &[Statement<'_>], action: &str) -> ActionDecision {
    let covering = || statements.iter().filter(|s| s.covers(action));
    let made = |decision, st: Option<&Statement<'_>>, reason: String| ActionDecision {
        action: action.to_owned(),
        decision,
        statement: st.map(|s| s.at.clone()),
        reason,
    };
    let how = |s: &Statement<'_>| if s.positive { "Action" } else { "NotAction" };
    if let Some(s) = covering().find(|s| !s.allow && s.conditional.is_none()) {
        return made(
            Decision::Denied,
            Some(s),
            format!("{action} is denied by {} (its {})", s.at, how(s)),
        );
    }
    let allow = covering().find(|s| s.allow && s.conditional.is_none());
    let any_allow = covering().any(|s| s.allow);
    // A conditional Deny matters only where something allows: without an Allow the implicit
    // deny decides whatever the condition.
    if let Some(s) = covering().find(|s| !s.allow && s.conditional.is_some() && any_allow) {
        return made(
            Decision::Conditional,
            Some(s),
            format!(
                "{action} may be denied by {}, which applies only in some requests: {}",
                s.at,
                s.conditional.unwrap_or_default()
            ),
        );
    }
    if let Some(s) = allow {
        return made(
            Decision::Allowed,
            Some(s),
            format!("{action} is allowed by {} (its {})", s.at, how(s)),
        );
    }
    if let Some(s) = covering().find(|s| s.allow) {
        return made(
            Decision::Conditional,
            Some(s),
            format!(
                "{action} is allowed only by {}, which applies only in some requests: {}",
                s.at,
                s.conditional.unwrap_or_default()
            ),
        );
    }
    made(
        Decision::NotGranted,
        None,
        format!("no statement allows {action}"),
    )
}

/// IAM's action match: case-insensitive, `*` any run of characters (none included), `?` one.
pub fn matches(pattern: &str, action: &str) -> bool {
    let p: Vec<char> = pattern.chars().flat_map(char::to_lowercase).collect();
    let a: Vec<char> = action.chars().flat_map(char::to_lowercase).collect();
    // The classic linear wildcard match with one backtrack point.
    let (mut pi, mut ai) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ai < a.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == a[ai]) {
            pi += 1;
            ai += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ai));
            pi += 1;
        } else if let Some((sp, sa)) = star {
            pi = sp + 1;
            ai = sa + 1;
            star = Some((sp, sa + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// An AWS managed policy: its ARN, where its document was read, and the document (the default
/// version) as the AWS Managed Policy Reference Guide shows it.
#[derive(Debug, Clone, Copy)]
pub struct ManagedPolicy {
    pub arn: &'static str,
    pub source: &'static str,
    pub document: &'static str,
}

/// Grants both X-Ray actions (version v2, edited 2024-02-13).
pub const AWS_XRAY_DAEMON_WRITE_ACCESS: ManagedPolicy = ManagedPolicy {
    arn: "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
    source: "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSXRayDaemonWriteAccess.html",
    document: r#"{"Version":"2012-10-17","Statement":[{"Sid":"AWSXRayDaemonWriteAccess","Effect":"Allow","Action":["xray:PutTraceSegments","xray:PutTelemetryRecords","xray:GetSamplingRules","xray:GetSamplingTargets","xray:GetSamplingStatisticSummaries"],"Resource":["*"]}]}"#,
};

/// Grants both X-Ray actions (version v2, edited 2018-08-28).
pub const AWS_XRAY_WRITE_ONLY_ACCESS: ManagedPolicy = ManagedPolicy {
    arn: "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
    source: "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSXrayWriteOnlyAccess.html",
    document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["xray:PutTraceSegments","xray:PutTelemetryRecords","xray:GetSamplingRules","xray:GetSamplingTargets","xray:GetSamplingStatisticSummaries"],"Resource":["*"]}]}"#,
};

/// Logs only: does NOT grant X-Ray (version v1, 2015-04-09).
pub const AWS_LAMBDA_BASIC_EXECUTION_ROLE: ManagedPolicy = ManagedPolicy {
    arn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    source: "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaBasicExecutionRole.html",
    document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}"#,
};

/// Everything. Its document is AWS's well-known one; it was not re-read in this session.
pub const ADMINISTRATOR_ACCESS: ManagedPolicy = ManagedPolicy {
    arn: "arn:aws:iam::aws:policy/AdministratorAccess",
    source:
        "https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AdministratorAccess.html",
    document: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
};

/// The AWS managed policies whose documents tracegate knows.
pub const AWS_MANAGED_POLICIES: [ManagedPolicy; 4] = [
    AWS_XRAY_DAEMON_WRITE_ACCESS,
    AWS_XRAY_WRITE_ONLY_ACCESS,
    AWS_LAMBDA_BASIC_EXECUTION_ROLE,
    ADMINISTRATOR_ACCESS,
];

/// The AWS managed policy with this ARN, in any partition (`arn:aws-cn:iam::aws:policy/...`),
/// if tracegate knows its document.
pub fn aws_managed(arn: &str) -> Option<&'static ManagedPolicy> {
    let (partition, tail) = arn.strip_prefix("arn:")?.split_once(':')?;
    // Only AWS's partitions: any other string names no policy, and the attachment fails.
    if !matches!(
        partition,
        "aws"
            | "aws-cn"
            | "aws-us-gov"
            | "aws-iso"
            | "aws-iso-b"
            | "aws-iso-e"
            | "aws-iso-f"
            | "aws-eusc"
    ) {
        return None;
    }
    AWS_MANAGED_POLICIES
        .iter()
        .find(|p| p.arn.strip_prefix("arn:aws:") == Some(tail))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decisions(docs: &[Value]) -> Vec<Decision> {
        let refs: Vec<&Value> = docs.iter().collect();
        evaluate(&refs, &XRAY_ACTIONS)
            .unwrap()
            .actions
            .iter()
            .map(|a| a.decision)
            .collect()
    }

    fn one(doc: Value) -> Vec<Decision> {
        decisions(&[doc])
    }

    fn allow(action: Value) -> Value {
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})
    }

    use Decision::*;

    #[test]
    fn managed_policies() {
        for (p, want) in [
            (AWS_XRAY_DAEMON_WRITE_ACCESS, Allowed),
            (AWS_XRAY_WRITE_ONLY_ACCESS, Allowed),
            (AWS_LAMBDA_BASIC_EXECUTION_ROLE, NotGranted),
            (ADMINISTRATOR_ACCESS, Allowed),
        ] {
            let doc = parse(p.document).unwrap();
            assert_eq!(one(doc), vec![want, want], "{}", p.arn);
        }
        assert_eq!(
            aws_managed("arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess").map(|p| p.arn),
            Some(AWS_XRAY_DAEMON_WRITE_ACCESS.arn)
        );
        assert!(aws_managed("arn:aws-cn:iam::aws:policy/AWSXrayWriteOnlyAccess").is_some());
        assert!(aws_managed("arn:aws:iam::123456789012:policy/AWSXrayWriteOnlyAccess").is_none());
        assert!(aws_managed("not an arn").is_none());
    }

    #[test]
    fn reason_names_the_statement() {
        let doc = parse(AWS_XRAY_DAEMON_WRITE_ACCESS.document).unwrap();
        let e = evaluate(&[&doc], &XRAY_ACTIONS).unwrap();
        assert!(e.all_allowed());
        let d = e.get("XRAY:PUTTRACESEGMENTS").unwrap();
        assert_eq!(
            d.statement.as_ref().unwrap().sid.as_deref(),
            Some("AWSXRayDaemonWriteAccess")
        );
        assert!(
            d.reason.contains("\"AWSXRayDaemonWriteAccess\""),
            "{}",
            d.reason
        );
        let plain = json!({"Statement": [{"Effect": "Deny", "Action": "x:y", "Resource": "*"},
                                          {"Effect": "Allow", "Action": "xray:*", "Resource": "*"}]});
        let e = evaluate(&[&plain], &["xray:PutTraceSegments"]).unwrap();
        assert_eq!(e.actions[0].statement.as_ref().unwrap().index, 1);
        assert!(e.actions[0].reason.contains("statement 1 of document 0"));
    }

    #[test]
    fn action_forms_and_wildcards() {
        assert_eq!(
            one(allow(json!("xray:PutTraceSegments"))),
            vec![Allowed, NotGranted]
        );
        assert_eq!(
            one(allow(json!([
                "xray:PutTraceSegments",
                "xray:PutTelemetryRecords"
            ]))),
            vec![Allowed, Allowed]
        );
        assert_eq!(one(allow(json!("xray:put*"))), vec![Allowed, Allowed]);
        assert_eq!(one(allow(json!("XRAY:*"))), vec![Allowed, Allowed]);
        assert_eq!(one(allow(json!("*"))), vec![Allowed, Allowed]);
        assert_eq!(
            one(allow(json!("xray:PutT?aceSegments"))),
            vec![Allowed, NotGranted]
        );
        assert_eq!(one(allow(json!("xray:Get*"))), vec![NotGranted, NotGranted]);
        assert_eq!(one(allow(json!("xray"))), vec![NotGranted, NotGranted]);
        assert_eq!(one(allow(json!("x*y:*"))), vec![Allowed, Allowed]);
        assert_eq!(one(allow(json!("s3:*"))), vec![NotGranted, NotGranted]);
    }

    #[test]
    fn matcher() {
        assert!(matches("*", ""));
        assert!(matches("a*b*c", "aXXbYYc"));
        assert!(!matches("a*b*c", "aXXbYY"));
        assert!(matches("xray:*Records", "xray:PutTelemetryRecords"));
        assert!(!matches("xray:?", "xray:"));
        assert!(matches("**", "anything"));
    }

    #[test]
    fn not_action_with_allow() {
        let doc = json!({"Statement": [{"Effect": "Allow", "NotAction": "xray:PutTelemetryRecords", "Resource": "*"}]});
        assert_eq!(one(doc), vec![Allowed, NotGranted]);
        let doc =
            json!({"Statement": [{"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}]});
        assert_eq!(one(doc), vec![Allowed, Allowed]);
    }

    #[test]
    fn deny_wins_over_allow_everything() {
        let admin = parse(ADMINISTRATOR_ACCESS.document).unwrap();
        let deny = json!({"Version": "2012-10-17", "Statement": [{"Sid": "NoXRay", "Effect": "Deny", "Action": ["xray:*"], "Resource": "*"}]});
        let refs = [&admin, &deny];
        let e = evaluate(&refs, &XRAY_ACTIONS).unwrap();
        assert_eq!(e.overall(), Denied);
        assert_eq!(e.actions[0].statement.as_ref().unwrap().document, 1);
        assert!(e.actions[0].reason.contains("NoXRay"));
        // NotAction in a Deny: denies everything except what it lists.
        let deny_all_but = json!({"Statement": {"Effect": "Deny", "NotAction": "xray:PutTraceSegments", "Resource": "*"}});
        assert_eq!(
            decisions(&[admin.clone(), deny_all_but]),
            vec![Allowed, Denied]
        );
    }

    #[test]
    fn statement_as_object_and_version_missing() {
        let doc = json!({"Statement": {"Effect": "Allow", "Action": "xray:*", "Resource": ["*"]}});
        assert_eq!(one(doc), vec![Allowed, Allowed]);
        let old = json!({"Version": "2008-10-17", "Statement": []});
        assert_eq!(one(old), vec![NotGranted, NotGranted]);
    }

    #[test]
    fn documents_as_json_strings() {
        // `after.policy` in a plan is a string holding the document.
        let text = Value::String(AWS_XRAY_WRITE_ONLY_ACCESS.document.to_owned());
        assert_eq!(one(text), vec![Allowed, Allowed]);
        let bad = Value::String("{not json".to_owned());
        assert!(matches!(
            evaluate(&[&bad], &XRAY_ACTIONS),
            Err(PolicyError::NotJson { document: 0, .. })
        ));
    }

    #[test]
    fn conditional_statements_are_not_guessed() {
        let cond = json!({"Statement": [{"Effect": "Allow", "Action": "xray:*", "Resource": "*",
                                         "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}]});
        assert_eq!(one(cond), vec![Conditional, Conditional]);
        let arn = json!({"Statement": [{"Effect": "Allow", "Action": "xray:*", "Resource": "arn:aws:xray:us-east-1:123456789012:group/*"}]});
        assert_eq!(one(arn), vec![Conditional, Conditional]);
        let not_resource = json!({"Statement": [{"Effect": "Allow", "Action": "xray:*", "NotResource": "arn:aws:s3:::x"}]});
        assert_eq!(one(not_resource), vec![Conditional, Conditional]);
        // A conditional Deny beside an Allow: it may deny.
        let admin = parse(ADMINISTRATOR_ACCESS.document).unwrap();
        let maybe = json!({"Statement": [{"Effect": "Deny", "Action": "xray:PutTraceSegments", "Resource": "*",
                                          "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]});
        assert_eq!(
            decisions(&[admin.clone(), maybe.clone()]),
            vec![Conditional, Allowed]
        );
        // ... but an unconditional Deny still wins over it.
        let deny = json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]});
        assert_eq!(decisions(&[admin, maybe, deny]), vec![Denied, Denied]);
        // A conditional Deny alone, with nothing allowing: the implicit deny decides.
        let lone = json!({"Statement": [{"Effect": "Deny", "Action": "xray:*", "Resource": "*", "Condition": {"Bool": {"x": "y"}}}]});
        assert_eq!(one(lone), vec![NotGranted, NotGranted]);
        // An empty Condition object is no condition.
        let empty = json!({"Statement": [{"Effect": "Allow", "Action": "xray:*", "Resource": "*", "Condition": {}}]});
        assert_eq!(one(empty), vec![Allowed, Allowed]);
    }

    #[test]
    fn principal_is_an_error_in_an_identity_policy() {
        let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                                  "Action": "sts:AssumeRole"}]});
        assert_eq!(
            evaluate(&[&trust], &XRAY_ACTIONS),
            Err(PolicyError::PrincipalInIdentityPolicy {
                document: 0,
                index: 0
            })
        );
    }

    #[test]
    fn malformed_documents_are_errors() {
        let cases = [
            (json!([]), PolicyError::NotAnObject { document: 0 }),
            (json!("[]"), PolicyError::NotAnObject { document: 0 }),
            (
                json!({"Version": "2020-01-01", "Statement": []}),
                PolicyError::BadVersion { document: 0 },
            ),
            (
                json!({"Version": 1, "Statement": []}),
                PolicyError::BadVersion { document: 0 },
            ),
            (
                json!({"Version": "2012-10-17"}),
                PolicyError::NoStatement { document: 0 },
            ),
            (
                json!({"Statement": "x"}),
                PolicyError::NoStatement { document: 0 },
            ),
            (
                json!({"Statement": [1]}),
                PolicyError::StatementNotObject {
                    document: 0,
                    index: 0,
                },
            ),
            (
                json!({"Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}),
                PolicyError::BadEffect {
                    document: 0,
                    index: 0,
                },
            ),
            (
                json!({"Statement": [{"Action": "*", "Resource": "*"}]}),
                PolicyError::BadEffect {
                    document: 0,
                    index: 0,
                },
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Resource": "*"}]}),
                PolicyError::ActionAndNotAction {
                    document: 0,
                    index: 0,
                },
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "x:y", "Resource": "*"}]}),
                PolicyError::ActionAndNotAction {
                    document: 0,
                    index: 0,
                },
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": [1], "Resource": "*"}]}),
                PolicyError::BadAction {
                    document: 0,
                    index: 0,
                },
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]}),
                PolicyError::BadAction {
                    document: 0,
                    index: 0,
                },
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "*"}]}),
                PolicyError::BadResource {
                    document: 0,
                    index: 0,
                },
            ),
            (
                json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": {"a": 1}}]}),
                PolicyError::BadResource {
                    document: 0,
                    index: 0,
                },
            ),
        ];
        for (doc, want) in cases {
            let got = evaluate(&[&doc], &XRAY_ACTIONS);
            assert_eq!(got, Err(want.clone()), "{doc}");
            assert!(!want.to_string().is_empty());
        }
        // The error names the document it is in.
        let good = parse(AWS_XRAY_DAEMON_WRITE_ACCESS.document).unwrap();
        let bad = json!(null);
        assert_eq!(
            evaluate(&[&good, &bad], &XRAY_ACTIONS),
            Err(PolicyError::NotAnObject { document: 1 })
        );
    }

    #[test]
    fn no_documents_grant_nothing() {
        let e = evaluate(&[], &XRAY_ACTIONS).unwrap();
        assert_eq!(e.overall(), NotGranted);
        assert!(!e.all_allowed());
        assert_eq!(
            e.actions[1].reason,
            "no statement allows xray:PutTelemetryRecords"
        );
        assert_eq!(evaluate(&[], &[]).unwrap().overall(), Allowed);
    }

    #[test]
    fn plan_shaped_documents() {
        // As terraform-provider-aws's aws_iam_policy_document renders them (testdata/real/xray-*):
        // one action as a string, Sid left out when empty.
        let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"xray:PutTraceSegments\",\n      \"Resource\": \"*\"\n    }\n  ]\n}";
        assert_eq!(one(parse(text).unwrap()), vec![Allowed, NotGranted]);
    }
}
