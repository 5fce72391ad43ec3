"""Network exposure in Terraform: firewall rules open to the internet, public load balancers and databases.

Ingress from ``0.0.0.0/0`` or ``::/0`` is graded by port: administration,
database and cache ports are high severity, web ports (80, 443) alone are
not reported (that is what a public web tier is for), anything else is medium.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from redline.checks.interface import CheckContext
from redline.checks.terraform.base import TerraformCheck, as_int, links_to, strings
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.terraform.modules import TerraformProject
from redline.sources.terraform.values import Body, Resource, is_true, is_unknown

WORLD = frozenset({"0.0.0.0/0", "::/0", "*", "internet", "any", "0.0.0.0"})
WEB_PORTS = frozenset({80, 443})
SENSITIVE_PORTS: dict[int, str] = {
    20: "FTP data",
    21: "FTP",
    22: "SSH",
    23: "Telnet",
    135: "MS RPC",
    139: "NetBIOS",
    445: "SMB",
    1433: "SQL Server",
    1521: "Oracle",
    2049: "NFS",
    2375: "Docker API",
    2376: "Docker API (TLS)",
    2379: "etcd",
    2380: "etcd peer",
    3306: "MySQL",
    3389: "RDP",
    5432: "PostgreSQL",
    5601: "Kibana",
    5672: "AMQP",
    5900: "VNC",
    5984: "CouchDB",
    6379: "Redis",
    6443: "Kubernetes API",
    7000: "Cassandra",
    7001: "Cassandra TLS",
    8086: "InfluxDB",
    9042: "Cassandra CQL",
    9092: "Kafka",
    9200: "Elasticsearch",
    9300: "Elasticsearch transport",
    10250: "kubelet",
    11211: "Memcached",
    15672: "RabbitMQ admin",
    2181: "ZooKeeper",
    27017: "MongoDB",
    27018: "MongoDB",
    50070: "HDFS NameNode",
}
_ICMP = frozenset({"icmp", "icmpv6", "1", "58"})
_TAGS = ("CWE-284", "STRIDE:I", "STRIDE:E")
_REFS = (
    "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
    "https://www.cisecurity.org/benchmark/amazon_web_services (CIS AWS Foundations 5.2, 5.3)",
    "https://cloud.google.com/firewall/docs/firewalls",
)

SENSITIVE_OPEN = Rule(
    code="TF101",
    name="sensitive-port-open-to-internet",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Firewall rule opens an administration, database or cache port to the whole internet",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds AWS security groups and rules, GCP firewalls, Azure NSG rules, Alibaba Cloud security "
        "group rules and OCI security lists / NSG rules that allow ingress "
        "from `0.0.0.0/0`, `::/0` or `*` to a port range covering SSH, RDP, database, cache or cluster-control "
        "ports (22, 3389, 3306, 5432, 1433, 1521, 6379, 11211, 27017, 9200, 6443, …), including 'all ports'. An "
        "AWS security group whose only members are interface VPC endpoints (private addresses) is reported low: "
        "the VPC and networks joined to it can connect, the internet cannot. TF102 follows the same rule.",
        why_bad="These services are scanned for continuously; an exposed SSH/RDP daemon or database is brute-"
        "forced or exploited within hours, and a cache such as Redis or Memcached often has no authentication at all.",
        example='resource "aws_security_group" "db" {\n  ingress {\n    from_port   = 5432\n    to_port     = 5432\n'
        '    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}',
        use_instead='ingress {\n  from_port       = 5432\n  to_port         = 5432\n  protocol        = "tcp"\n'
        "  security_groups = [aws_security_group.app.id]  # or a VPN / bastion CIDR\n}",
        references=_REFS,
    ),
)

INGRESS_OPEN = Rule(
    code="TF102",
    name="ingress-open-to-internet",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Firewall rule opens a non-web port to the whole internet",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds ingress from `0.0.0.0/0` or `::/0` to ports other than 80/443 that are not in the "
        "sensitive list of TF101 (for example an application port 8080 or a custom range).",
        why_bad="Every port reachable from the internet is attack surface: application servers, metrics and "
        "debug endpoints are rarely hardened for direct exposure and should sit behind a load balancer.",
        example='ingress {\n  from_port   = 8080\n  to_port     = 8080\n  protocol    = "tcp"\n'
        '  cidr_blocks = ["0.0.0.0/0"]\n}',
        use_instead='ingress {\n  from_port       = 8080\n  to_port         = 8080\n  protocol        = "tcp"\n'
        "  security_groups = [aws_security_group.alb.id]\n}",
        references=_REFS,
    ),
)

PUBLIC_LB = Rule(
    code="TF103",
    name="public-load-balancer",
    area=Area.SECURITY,
    severity=Severity.LOW,
    summary="Load balancer is internet-facing",
    tags=("CWE-284", "STRIDE:I"),
    doc=RuleDoc(
        what_it_does="Lists AWS load balancers (`aws_lb`, `aws_alb`, `aws_elb`) with `internal = false` or no "
        "`internal` argument (the default is internet-facing).",
        why_bad="An internet-facing load balancer is an entry point for the whole world. That is right for a "
        "public site, but an internal API or admin tool exposed this way has lost its first layer of defence; "
        "each one should be a deliberate, reviewed choice.",
        example='resource "aws_lb" "admin" {\n  load_balancer_type = "application"\n  subnets = var.public_subnets\n}',
        use_instead='resource "aws_lb" "admin" {\n  internal           = true\n  load_balancer_type = "application"\n'
        "  subnets            = var.private_subnets\n}",
        references=("https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lb#internal",),
    ),
)

PUBLIC_DB = Rule(
    code="TF104",
    name="database-publicly-accessible",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Managed database reachable from the internet",
    tags=("CWE-284", "STRIDE:I", "STRIDE:T"),
    doc=RuleDoc(
        what_it_does="Finds RDS instances, Aurora cluster instances and Redshift clusters with "
        "`publicly_accessible = true`, Cloud SQL instances whose authorized networks include `0.0.0.0/0`, and "
        "Azure SQL/PostgreSQL/MySQL firewall rules from 0.0.0.0 to 255.255.255.255, and Alibaba Cloud RDS "
        "instances whose `security_ips` admit 0.0.0.0/0. (The Azure rule "
        "0.0.0.0-0.0.0.0 only admits Azure services and is not reported.)",
        why_bad="A public endpoint lets anyone on the internet try credentials and exploit the database engine "
        "directly; databases belong in private subnets reached only by the services that use them.",
        example='resource "aws_db_instance" "main" {\n  engine              = "postgres"\n'
        "  publicly_accessible = true\n}",
        use_instead='resource "aws_db_instance" "main" {\n  engine                 = "postgres"\n'
        "  publicly_accessible    = false\n  db_subnet_group_name   = aws_db_subnet_group.private.name\n}",
        references=(
            "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html",
            "https://cloud.google.com/sql/docs/postgres/authorize-networks",
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class Opening:
    """One ingress permission: where it sits and which ports it opens to the world."""

    line: int
    ranges: tuple[tuple[int, int], ...]  # inclusive port ranges; (0, 65535) = all
    sources: tuple[str, ...]


def _world(values: list[str]) -> list[str]:
    return [v for v in values if v.strip().lower() in WORLD]


def _port_range(from_port: Any, to_port: Any, protocol: Any) -> tuple[int, int] | None:
    proto = str(protocol).lower() if isinstance(protocol, (str, int)) else None
    if proto in ("-1", "all"):
        return (0, 65535)
    lo, hi = as_int(from_port), as_int(to_port)
    if lo is None and hi is None:
        return None
    lo = hi if lo is None else lo
    hi = lo if hi is None else hi
    assert lo is not None and hi is not None
    if lo in (-1, 0) and hi in (-1, 0, 65535):
        return (0, 65535)
    return (max(lo, 0), min(max(hi, lo), 65535))


def _parse_ports(spec: str) -> tuple[int, int] | None:
    spec = spec.strip()
    if spec in ("*", ""):
        return (0, 65535)
    if "-" in spec:
        lo, _, hi = spec.partition("-")
        if lo.strip().isdigit() and hi.strip().isdigit():
            return (int(lo), int(hi))
        return None
    return (int(spec), int(spec)) if spec.isdigit() else None


def _aws_rule(body: Body, cidr_keys: tuple[str, ...], proto_key: str) -> Opening | None:
    proto = body.get(proto_key)
    if isinstance(proto, str) and proto.lower() in _ICMP:
        return None
    sources = [s for k in cidr_keys for s in _world(strings(body.get(k)))]
    if not sources:
        return None
    rng = _port_range(body.get("from_port"), body.get("to_port"), proto)
    if rng is None:
        return None
    return Opening(body.start_line, (rng,), tuple(sources))


def _aws_group(resource: Resource) -> list[Opening | None]:
    return [_aws_rule(ing, ("cidr_blocks", "ipv6_cidr_blocks"), "protocol") for ing in resource.nested("ingress")]


def _aws_group_rule(resource: Resource) -> list[Opening | None]:
    if resource.get("type") != "ingress":
        return []
    return [_aws_rule(resource.body, ("cidr_blocks", "ipv6_cidr_blocks"), "protocol")]


def _aws_ingress_rule(resource: Resource) -> list[Opening | None]:
    return [_aws_rule(resource.body, ("cidr_ipv4", "cidr_ipv6"), "ip_protocol")]


def _gcp_firewall(resource: Resource) -> list[Opening | None]:
    if resource.get("direction", "INGRESS") != "INGRESS" or is_true(resource.get("disabled")):
        return []
    sources = _world(strings(resource.get("source_ranges")))
    if not sources:
        return []
    out: list[Opening | None] = []
    for allow in resource.nested("allow"):
        proto = allow.get("protocol")
        if isinstance(proto, str) and proto.lower() in _ICMP:
            continue
        ports = allow.get("ports")
        ranges = ((0, 65535),) if ports is None else tuple(r for r in (_parse_ports(p) for p in strings(ports)) if r)
        if ranges:
            out.append(Opening(allow.start_line, ranges, tuple(sources)))
    return out


def _azure_rules(resource: Resource) -> list[Opening | None]:
    if resource.type == "azurerm_network_security_rule":
        return [_azure_rule(resource.body)]
    return [_azure_rule(rule) for rule in resource.nested("security_rule")]


def _alicloud_rule(resource: Resource) -> list[Opening | None]:
    """``alicloud_security_group_rule``: ``port_range = "22/22"`` (``-1/-1`` = all), ``policy`` accept by default."""
    if resource.get("type") != "ingress" or str(resource.get("policy", "accept")).lower() != "accept":
        return []
    proto = str(resource.get("ip_protocol", "")).lower()
    sources = _world(strings(resource.get("cidr_ip")) + strings(resource.get("ipv6_cidr_ip")))
    if not sources or proto in ("icmp", "gre"):
        return []
    spec = resource.get("port_range", "-1/-1")
    lo, _, hi = str(spec).partition("/")
    rng = (0, 65535) if proto == "all" else _port_range(lo.strip(), hi.strip() or lo.strip(), proto)
    return [Opening(resource.start_line, (rng,), tuple(sources))] if rng else []


def _oci_ports(rule: Body, sources: list[str]) -> Opening | None:
    """OCI rule: protocol "all", "6" (TCP) or "17" (UDP) with ``tcp_options``/``udp_options`` min/max
    (``destination_port_range { min max }`` in NSG rules); no options means every port."""
    proto = str(rule.get("protocol", "")).lower()
    if proto not in ("all", "6", "17"):
        return None
    options = [*rule.nested("tcp_options"), *rule.nested("udp_options")]
    ranges: list[tuple[int, int]] = []
    for opt in options:
        inner = opt.nested("destination_port_range") or [opt]
        for o in inner:
            rng = _port_range(o.get("min"), o.get("max"), "tcp")
            if rng:
                ranges.append(rng)
    if not options:
        ranges.append((0, 65535))
    return Opening(rule.start_line, tuple(ranges), tuple(sources)) if ranges else None


def _oci_security_list(resource: Resource) -> list[Opening | None]:
    return [
        _oci_ports(rule, _world(strings(rule.get("source"))))
        for rule in resource.nested("ingress_security_rules")
        if _world(strings(rule.get("source")))
    ]


def _oci_nsg_rule(resource: Resource) -> list[Opening | None]:
    sources = _world(strings(resource.get("source")))
    if resource.get("direction") != "INGRESS" or not sources:
        return []
    return [_oci_ports(resource.body, sources)]


_OPENINGS = {
    "aws_security_group": _aws_group,
    "aws_security_group_rule": _aws_group_rule,
    "aws_vpc_security_group_ingress_rule": _aws_ingress_rule,
    "google_compute_firewall": _gcp_firewall,
    "azurerm_network_security_rule": _azure_rules,
    "azurerm_network_security_group": _azure_rules,
    "alicloud_security_group_rule": _alicloud_rule,
    "oci_core_security_list": _oci_security_list,
    "oci_core_network_security_group_security_rule": _oci_nsg_rule,
}


def openings(resource: Resource) -> list[Opening]:
    """Every ingress permission of a firewall resource that admits the whole internet."""
    reader = _OPENINGS.get(resource.type)
    return [o for o in reader(resource) if o is not None] if reader else []


def _azure_rule(body: Body) -> Opening | None:
    if str(body.get("direction", "")).lower() != "inbound" or str(body.get("access", "")).lower() != "allow":
        return None
    sources = _world(strings(body.get("source_address_prefix")) + strings(body.get("source_address_prefixes")))
    if not sources:
        return None
    specs = strings(body.get("destination_port_range")) + strings(body.get("destination_port_ranges"))
    ranges = tuple(r for r in (_parse_ports(p) for p in specs) if r)
    return Opening(body.start_line, ranges, tuple(sources)) if ranges else None


def _sensitive_in(ranges: tuple[tuple[int, int], ...]) -> list[int]:
    return sorted(p for p in SENSITIVE_PORTS if any(lo <= p <= hi for lo, hi in ranges))


def _only_web(ranges: tuple[tuple[int, int], ...]) -> bool:
    return all(lo == hi and lo in WEB_PORTS for lo, hi in ranges)


def _describe(ranges: tuple[tuple[int, int], ...]) -> str:
    if any(lo == 0 and hi == 65535 for lo, hi in ranges):
        return "all ports"
    return ", ".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in ranges)


_AZURE_DB_FIREWALLS = (
    "azurerm_mssql_firewall_rule",
    "azurerm_sql_firewall_rule",
    "azurerm_postgresql_firewall_rule",
    "azurerm_postgresql_flexible_server_firewall_rule",
    "azurerm_mysql_firewall_rule",
    "azurerm_mysql_flexible_server_firewall_rule",
    "azurerm_mariadb_firewall_rule",
)
_FIREWALLS = tuple(_OPENINGS)


_RESTRICT = {
    "aws_security_group": 'In the `ingress` block, replace `cidr_blocks = ["0.0.0.0/0"]` with '
    "`security_groups = [aws_security_group.<client>.id]` or your VPN/bastion CIDR.",
    "google_compute_firewall": 'Replace `source_ranges = ["0.0.0.0/0"]` with your VPN/IAP range '
    "(35.235.240.0/20 for IAP TCP forwarding) or use `source_tags`.",
    "azurerm_network_security_rule": "Set `source_address_prefix` to your VPN/bastion range or a service tag "
    '(e.g. "VirtualNetwork") instead of "*"/"Internet"; use Azure Bastion '
    "for SSH/RDP.",
    "alicloud_security_group_rule": "Set `cidr_ip` to your VPN/bastion range instead of 0.0.0.0/0, or use "
    "`source_security_group_id`.",
    "oci_core_security_list": "Set the ingress rule's `source` to your VPN/bastion CIDR instead of 0.0.0.0/0, "
    "or use OCI Bastion for SSH.",
}
_RESTRICT["aws_security_group_rule"] = _RESTRICT["aws_vpc_security_group_ingress_rule"] = (
    "Replace the `cidr_blocks`/`cidr_ipv4` 0.0.0.0/0 with `source_security_group_id` (or "
    "`referenced_security_group_id`) of the clients, or your VPN/bastion CIDR."
)
_RESTRICT["azurerm_network_security_group"] = _RESTRICT["azurerm_network_security_rule"]
_RESTRICT["oci_core_network_security_group_security_rule"] = _RESTRICT["oci_core_security_list"]
_PRIVATE_DB = {
    "aws_db_instance": "Set `publicly_accessible = false` and place it in private subnets "
    "(`db_subnet_group_name`); reach it through the application tier, a bastion or SSM.",
    "google_sql_database_instance": "Remove 0.0.0.0/0 from `authorized_networks`; use private IP "
    "(`ipv4_enabled = false`, `private_network`) or the Cloud SQL Auth Proxy.",
    "alicloud_db_instance": "Remove 0.0.0.0/0 from `security_ips`; list only the application's VPC CIDRs.",
}
_PRIVATE_DB["aws_rds_cluster_instance"] = _PRIVATE_DB["aws_redshift_cluster"] = _PRIVATE_DB["aws_db_instance"]
_AZURE_DB_FIX = (
    'Delete this firewall rule (`start_ip_address = "0.0.0.0"`, `end_ip_address = '
    '"255.255.255.255"`); add rules for the application\'s outbound addresses only, or use a private '
    "endpoint / `azurerm_mssql_virtual_network_rule`."
)


class NetworkExposureCheck(TerraformCheck):
    name = "terraform-network"
    rules = (SENSITIVE_OPEN, INGRESS_OPEN, PUBLIC_LB, PUBLIC_DB)

    def check_project(self, project: TerraformProject, ctx: CheckContext) -> Iterator[Finding]:
        placements = _placements(project)
        for r in project.of_type(*_FIREWALLS):
            yield from self._firewall(r, _endpoints_only(placements, r))
        for r in project.of_type("aws_lb", "aws_alb", "aws_elb"):
            internal = r.get("internal")
            if r.get("load_balancer_type") == "gateway" or is_true(internal) or is_unknown(internal):
                continue
            yield self.emit(
                PUBLIC_LB,
                r,
                "load balancer is internet-facing"
                + (" (internal is not set; the default is false)" if internal is None else ""),
                remediation="If only internal clients use it, set `internal = true` and move it to "
                "private subnets; if it is meant to be public, put a WAF (`aws_wafv2_web_acl_association`)"
                " in front and suppress this finding with the reason.",
            )
        yield from self._databases(project)

    def _databases(self, project: TerraformProject) -> Iterator[Finding]:
        for r in project.of_type("aws_db_instance", "aws_rds_cluster_instance", "aws_redshift_cluster"):
            if is_true(r.get("publicly_accessible")):
                yield self.emit(
                    PUBLIC_DB, r, "database has publicly_accessible = true", remediation=_PRIVATE_DB[r.type]
                )
        for r in project.of_type(*_AZURE_DB_FIREWALLS):
            start, end = r.get("start_ip_address"), r.get("end_ip_address")
            if start == "0.0.0.0" and end == "255.255.255.255":
                yield self.emit(PUBLIC_DB, r, "database firewall allows every IPv4 address", remediation=_AZURE_DB_FIX)
        for r in project.of_type("google_sql_database_instance"):
            for settings in r.nested("settings"):
                for ip in settings.nested("ip_configuration"):
                    if ip.get("ipv4_enabled") is False:
                        continue
                    nets = [n.get("value") for n in ip.nested("authorized_networks")]
                    if any(isinstance(v, str) and v.strip() in ("0.0.0.0/0", "::/0") for v in nets):
                        yield self.emit(PUBLIC_DB, r, "Cloud SQL authorizes 0.0.0.0/0", remediation=_PRIVATE_DB[r.type])
        for r in project.of_type("alicloud_db_instance"):
            if any(ip.strip() in ("0.0.0.0/0", "0.0.0.0") for ip in strings(r.get("security_ips"))):
                yield self.emit(
                    PUBLIC_DB, r, "security_ips admit every address (0.0.0.0/0)", remediation=_PRIVATE_DB[r.type]
                )

    def _firewall(self, r: Resource, endpoints_only: bool = False) -> Iterator[Finding]:
        """``endpoints_only``: the group guards only interface VPC endpoints, whose addresses are private: an open
        source there admits the VPC and the networks joined to it, not the internet (low, said so)."""
        if endpoints_only:
            for f in self._openings(r):
                yield replace(
                    f,
                    severity=Severity.LOW,
                    message=f"{f.message}; the group is attached only to VPC endpoints (private addresses): "
                    "anything in the VPC or a network joined to it can connect, the internet cannot",
                )
            return
        yield from self._openings(r)

    def _openings(self, r: Resource) -> Iterator[Finding]:
        sensitive: list[int] = []
        other: list[Opening] = []
        sources: set[str] = set()
        for o in openings(r):
            sources.update(o.sources)
            hit = _sensitive_in(o.ranges)
            if hit:
                sensitive.extend(hit)
            elif not _only_web(o.ranges):
                other.append(o)
        src = ", ".join(sorted(sources))
        fix = _RESTRICT.get(r.type, "Restrict the source to the clients that need the port.")
        if sensitive:
            names = ", ".join(f"{p} ({SENSITIVE_PORTS[p]})" for p in sorted(set(sensitive))[:8])
            more = "" if len(set(sensitive)) <= 8 else f" and {len(set(sensitive)) - 8} more"
            yield self.emit(
                SENSITIVE_OPEN,
                r,
                f"ingress from {src} reaches {names}{more}",
                evidence={"ports": tuple(sorted(set(sensitive)))},
                remediation=fix,
            )
        elif other:
            desc = "; ".join(_describe(o.ranges) for o in other)
            yield self.emit(
                INGRESS_OPEN,
                r,
                f"ingress from {src} to {desc}",
                evidence={"ports": desc},
                remediation=fix + " Public web traffic belongs on a load balancer (80/443) instead.",
            )


#: where a resource lists the security groups it is placed in
_GROUP_ATTRS = ("security_group_ids", "vpc_security_group_ids", "security_groups")


def _placements(project: TerraformProject) -> list[tuple[str, Any]]:
    """(resource type, a security group value it lists) for every resource placed in groups: read once per run."""
    return [
        (r.type, value)
        for r in project.resources
        for attr in _GROUP_ATTRS
        if (listed := r.get(attr)) is not None
        for value in (listed if isinstance(listed, list) else [listed])
    ]


def _endpoints_only(placements: list[tuple[str, Any]], group: Resource) -> bool:
    """``group`` is an AWS security group that only interface VPC endpoints of the configuration are placed in."""
    if group.type != "aws_security_group":
        return False
    return {kind for kind, value in placements if links_to(value, group, ("id",))} == {"aws_vpc_endpoint"}
