"""Write a realistic, deterministic Terraform corpus to bench/.work/corpus/iac/ (a few hundred KB).

Shape of a real estate of services: shared local modules (network, database,
storage, iam, compute), one root module per service and environment that
calls them with tfvars, plus resources written directly in the roots. Each
service draws good or bad variants from a seeded RNG, so the corpus mixes
hardened and careless configuration the way real repositories do.

Usage: python bench/make_iac_corpus.py [--services 40]
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

OUT = Path(__file__).resolve().parent / ".work" / "corpus" / "iac"  # generated, never committed

MODULE_NETWORK = """variable "name" {
  type = string
}

variable "vpc_cidr" {
  type    = string
  default = "10.0.0.0/16"
}

variable "azs" {
  type    = list(string)
  default = ["eu-west-1a", "eu-west-1b"]
}

variable "ssh_cidrs" {
  type    = list(string)
  default = ["10.0.0.0/8"]
}

variable "app_port" {
  type    = number
  default = 8080
}

locals {
  tags = {
    Module = "network"
    Name   = var.name
  }
}

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_hostnames = true
  tags                 = local.tags
}

resource "aws_subnet" "private" {
  count             = length(var.azs)
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet(var.vpc_cidr, 4, count.index)
  availability_zone = var.azs[count.index]
  tags              = merge(local.tags, { Tier = "private" })
}

resource "aws_security_group" "app" {
  name        = "${var.name}-app"
  description = "application tier"
  vpc_id      = aws_vpc.this.id

  ingress {
    description     = "from the load balancer"
    from_port       = var.app_port
    to_port         = var.app_port
    protocol        = "tcp"
    security_groups = [aws_security_group.lb.id]
  }

  ingress {
    description = "ssh from the admin network"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.ssh_cidrs
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = local.tags
}

resource "aws_security_group" "lb" {
  name   = "${var.name}-lb"
  vpc_id = aws_vpc.this.id

  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

output "vpc_id" {
  value = aws_vpc.this.id
}

output "subnet_ids" {
  value = aws_subnet.private[*].id
}

output "app_sg" {
  value = aws_security_group.app.id
}
"""

MODULE_DATABASE = """variable "name" {
  type = string
}

variable "engine" {
  type    = string
  default = "postgres"
}

variable "instance_class" {
  type    = string
  default = "db.t3.medium"
}

variable "multi_az" {
  type    = bool
  default = true
}

variable "encrypted" {
  type    = bool
  default = true
}

variable "backup_days" {
  type    = number
  default = 7
}

variable "public" {
  type    = bool
  default = false
}

variable "subnet_ids" {
  type    = list(string)
  default = []
}

resource "aws_db_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_db_instance" "this" {
  identifier              = var.name
  engine                  = var.engine
  instance_class          = var.instance_class
  allocated_storage       = 100
  db_subnet_group_name    = aws_db_subnet_group.this.name
  multi_az                = var.multi_az
  storage_encrypted       = var.encrypted
  backup_retention_period = var.backup_days
  publicly_accessible     = var.public
  deletion_protection     = true
  username                = "app"
  manage_master_user_password = true

  tags = {
    Name = var.name
  }
}

resource "aws_cloudwatch_log_group" "db" {
  name              = "/aws/rds/instance/${var.name}/postgresql"
  retention_in_days = 30
}
"""

MODULE_STORAGE = """variable "bucket" {
  type = string
}

variable "lifecycle_days" {
  type    = number
  default = 0
}

variable "kms_key_arn" {
  type    = string
  default = null
}

resource "aws_s3_bucket" "this" {
  bucket = var.bucket
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = var.kms_key_arn
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  count  = var.lifecycle_days > 0 ? 1 : 0
  bucket = aws_s3_bucket.this.id
  rule {
    id     = "expire"
    status = "Enabled"
    filter {}
    expiration {
      days = var.lifecycle_days
    }
  }
}
"""

MODULE_IAM = """variable "name" {
  type = string
}

variable "bucket_arn" {
  type = string
}

variable "queue_arn" {
  type = string
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "task" {
  name               = "${var.name}-task"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

data "aws_iam_policy_document" "task" {
  statement {
    sid       = "Objects"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${var.bucket_arn}/*"]
  }
  statement {
    sid       = "Queue"
    actions   = ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"]
    resources = [var.queue_arn]
  }
  statement {
    sid       = "Describe"
    actions   = ["ec2:DescribeInstances", "cloudwatch:GetMetricData"]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "${var.name}-task"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}
"""

ROOT_HEADER = """terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

variable "env" {
  type = string
}

variable "region" {
  type    = string
  default = "{region}"
}

provider "aws" {
  region = var.region
  assume_role {
    role_arn = "arn:aws:iam::{account}:role/terraform"
  }
}

locals {
  name = "{service}-${var.env}"
  tags = {
    Service     = "{service}"
    Environment = var.env
  }
}

module "network" {
  source    = "../../modules/network"
  name      = local.name
  ssh_cidrs = {ssh_cidrs}
  app_port  = {app_port}
}

module "database" {
  source      = "../../modules/database"
  name        = local.name
  multi_az    = {multi_az}
  encrypted   = {encrypted}
  backup_days = {backup_days}
  public      = {public}
  subnet_ids  = module.network.subnet_ids
}

module "storage" {
  source         = "../../modules/storage"
  bucket         = "${local.name}-data"
  lifecycle_days = {lifecycle_days}
}

module "iam" {
  source     = "../../modules/iam"
  name       = local.name
  bucket_arn = "arn:aws:s3:::${local.name}-data"
  queue_arn  = aws_sqs_queue.jobs.arn
}

resource "aws_sqs_queue" "jobs" {
  name                       = "${local.name}-jobs"
  visibility_timeout_seconds = 60
  {sqs_sse}
  tags                       = local.tags
}

resource "aws_sqs_queue" "jobs_dlq" {
  name = "${local.name}-jobs-dlq"
}

resource "aws_cloudwatch_log_group" "app" {
  name = "/ecs/${local.name}"
  {log_retention}
}

resource "aws_lb" "public" {
  name               = local.name
  load_balancer_type = "application"
  internal           = {internal}
  security_groups    = [module.network.app_sg]
  subnets            = module.network.subnet_ids
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.public.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    {http_action}
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.public.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "{ssl_policy}"
  certificate_arn   = "arn:aws:acm:${var.region}:{account}:certificate/abc"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_lb_target_group" "app" {
  name     = local.name
  port     = {app_port}
  protocol = "HTTP"
  vpc_id   = module.network.vpc_id
  health_check {
    path = "/healthz"
  }
}

resource "aws_dynamodb_table" "sessions" {
  name         = "${local.name}-sessions"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "{hash_key}"
  range_key    = "{range_key}"
  attribute {
    name = "{hash_key}"
    type = "S"
  }
  attribute {
    name = "{range_key}"
    type = "S"
  }
  point_in_time_recovery {
    enabled = {pitr}
  }
  server_side_encryption {
    enabled = true
  }
}

resource "aws_ebs_volume" "scratch" {
  availability_zone = "${var.region}a"
  size              = 200
  type              = "gp3"
  encrypted         = {encrypted}
}

resource "aws_instance" "bastion" {
  ami                    = "ami-0123456789abcdef0"
  instance_type          = "t3.micro"
  subnet_id              = module.network.subnet_ids[0]
  vpc_security_group_ids = [aws_security_group.bastion.id]
  metadata_options {
    http_tokens = "required"
  }
  root_block_device {
    encrypted   = {encrypted}
    volume_size = 16
  }
}

resource "aws_security_group" "bastion" {
  name   = "${local.name}-bastion"
  vpc_id = module.network.vpc_id
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = {bastion_cidrs}
  }
}
"""

EXTRA_BAD = [
    """
resource "aws_iam_policy" "ops_admin" {
  name = "${local.name}-ops"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })
}
""",
    """
resource "aws_iam_user" "ci" {
  name = "${local.name}-ci"
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}

resource "aws_iam_user_policy" "ci_deploy" {
  name = "deploy"
  user = aws_iam_user.ci.name
  policy = jsonencode({
    Statement = [
      { Effect = "Allow", Action = ["ecs:UpdateService", "ecs:RegisterTaskDefinition"], Resource = "*" },
      { Effect = "Allow", Action = "iam:PassRole", Resource = "*" }
    ]
  })
}
""",
    """
resource "aws_s3_bucket" "public_assets" {
  bucket = "${local.name}-assets"
  acl    = "public-read"
}
""",
    """
resource "aws_security_group_rule" "debug_redis" {
  type              = "ingress"
  from_port         = 6379
  to_port           = 6379
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = module.network.app_sg
}
""",
    """
resource "aws_sns_topic" "alerts" {
  name = "${local.name}-alerts"
}

resource "aws_elasticache_replication_group" "cache" {
  replication_group_id       = "${local.name}-cache"
  description                = "cache"
  node_type                  = "cache.t4g.small"
  num_cache_clusters         = 2
  automatic_failover_enabled = true
}
""",
]

EXTRA_GOOD = """
resource "aws_kms_key" "data" {
  description         = "${local.name} data"
  enable_key_rotation = true
}

resource "aws_sns_topic" "events" {
  name              = "${local.name}-events"
  kms_master_key_id = aws_kms_key.data.arn
}

resource "aws_cloudwatch_log_group" "audit" {
  name              = "/audit/${local.name}"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.data.arn
}
"""

SERVICES = [
    "orders",
    "payments",
    "catalog",
    "search",
    "users",
    "billing",
    "notifications",
    "inventory",
    "shipping",
    "reviews",
    "cart",
    "checkout",
    "auth",
    "reports",
    "media",
    "pricing",
    "ledger",
    "gateway",
    "recommender",
    "analytics",
]
REGIONS = ["eu-west-1", "eu-central-1", "us-east-1", "us-west-2", "ap-northeast-1"]


def _root(rng: random.Random, service: str, env: str) -> str:
    good = rng.random() < 0.55
    values = {
        "region": rng.choice(REGIONS),
        "account": str(rng.randrange(10**11, 10**12)),
        "service": service,
        "ssh_cidrs": '["10.0.0.0/8"]' if good or rng.random() < 0.5 else '["0.0.0.0/0"]',
        "app_port": rng.choice([8080, 8000, 3000, 9000]),
        "multi_az": "true" if good or env == "prod" else "false",
        "encrypted": "true" if good or rng.random() < 0.6 else "false",
        "backup_days": 14 if good else rng.choice([0, 1, 7]),
        "public": "false" if good or rng.random() < 0.8 else "true",
        "lifecycle_days": rng.choice([30, 90, 365]) if good else rng.choice([0, 90]),
        "sqs_sse": 'kms_master_key_id          = "alias/aws/sqs"'
        if good
        else rng.choice(["sqs_managed_sse_enabled    = false", "sqs_managed_sse_enabled    = true"]),
        "log_retention": "retention_in_days = 30" if good or rng.random() < 0.4 else "",
        "internal": rng.choice(["true", "false"]),
        "http_action": 'type = "redirect"\n    redirect {\n      port        = "443"\n      protocol    = "HTTPS"\n'
        '      status_code = "HTTP_301"\n    }'
        if good or rng.random() < 0.5
        else 'type             = "forward"\n    target_group_arn = aws_lb_target_group.app.arn',
        "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06"
        if good or rng.random() < 0.5
        else "ELBSecurityPolicy-2016-08",
        "hash_key": "session_id" if good or rng.random() < 0.7 else "created_at",
        "range_key": "expires_at" if good else "user_id",
        "pitr": "true" if good or rng.random() < 0.5 else "false",
        "bastion_cidrs": '["10.20.0.0/16"]' if good or rng.random() < 0.5 else '["0.0.0.0/0"]',
    }
    text = ROOT_HEADER
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    if good:
        text += EXTRA_GOOD
    else:
        text += "".join(rng.sample(EXTRA_BAD, k=rng.randint(1, 3)))
    return text


def generate(services: int, seed: int = 20261128) -> int:
    rng = random.Random(seed)
    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "modules").mkdir(parents=True)
    for name, text in (
        ("network", MODULE_NETWORK),
        ("database", MODULE_DATABASE),
        ("storage", MODULE_STORAGE),
        ("iam", MODULE_IAM),
    ):
        (OUT / "modules" / name).mkdir()
        (OUT / "modules" / name / "main.tf").write_text(text, encoding="utf-8")
    (OUT / "README.md").write_text(
        "# Terraform benchmark corpus\n\nGenerated by `bench/make_iac_corpus.py` (deterministic, seeded): "
        "shared local modules under `modules/`, one root module per service and environment under `envs/`, "
        "mixing hardened and careless variants. Regenerate with `python bench/make_iac_corpus.py`; "
        "do not edit by hand. Used by `bench/iac_bench.py`.\n",
        encoding="utf-8",
    )
    count = 0
    for i in range(services):
        service = f"{SERVICES[i % len(SERVICES)]}{'' if i < len(SERVICES) else i // len(SERVICES)}"
        for env in ("staging", "prod"):
            root = OUT / "envs" / f"{service}-{env}"
            root.mkdir(parents=True)
            (root / "main.tf").write_text(_root(rng, service, env), encoding="utf-8")
            (root / "terraform.tfvars").write_text(f'env = "{env}"\n', encoding="utf-8")
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--services", type=int, default=40)
    args = parser.parse_args()
    roots = generate(args.services)
    size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"wrote {roots} root modules, {size / 1024:.0f} KiB, to {OUT}")


if __name__ == "__main__":
    main()
