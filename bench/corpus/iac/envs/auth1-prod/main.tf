terraform {
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
  default = "ap-northeast-1"
}

provider "aws" {
  region = var.region
  assume_role {
    role_arn = "arn:aws:iam::442932115685:role/terraform"
  }
}

locals {
  name = "auth1-${var.env}"
  tags = {
    Service     = "auth1"
    Environment = var.env
  }
}

module "network" {
  source    = "../../modules/network"
  name      = local.name
  ssh_cidrs = ["10.0.0.0/8"]
  app_port  = 3000
}

module "database" {
  source      = "../../modules/database"
  name        = local.name
  multi_az    = true
  encrypted   = true
  backup_days = 1
  public      = false
  subnet_ids  = module.network.subnet_ids
}

module "storage" {
  source         = "../../modules/storage"
  bucket         = "${local.name}-data"
  lifecycle_days = 0
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
  sqs_managed_sse_enabled    = false
  tags                       = local.tags
}

resource "aws_sqs_queue" "jobs_dlq" {
  name = "${local.name}-jobs-dlq"
}

resource "aws_cloudwatch_log_group" "app" {
  name = "/ecs/${local.name}"
  retention_in_days = 30
}

resource "aws_lb" "public" {
  name               = local.name
  load_balancer_type = "application"
  internal           = true
  security_groups    = [module.network.app_sg]
  subnets            = module.network.subnet_ids
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.public.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.public.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-2016-08"
  certificate_arn   = "arn:aws:acm:${var.region}:442932115685:certificate/abc"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.app.arn
  }
}

resource "aws_lb_target_group" "app" {
  name     = local.name
  port     = 3000
  protocol = "HTTP"
  vpc_id   = module.network.vpc_id
  health_check {
    path = "/healthz"
  }
}

resource "aws_dynamodb_table" "sessions" {
  name         = "${local.name}-sessions"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "created_at"
  range_key    = "user_id"
  attribute {
    name = "created_at"
    type = "S"
  }
  attribute {
    name = "user_id"
    type = "S"
  }
  point_in_time_recovery {
    enabled = true
  }
  server_side_encryption {
    enabled = true
  }
}

resource "aws_ebs_volume" "scratch" {
  availability_zone = "${var.region}a"
  size              = 200
  type              = "gp3"
  encrypted         = true
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
    encrypted   = true
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
    cidr_blocks = ["0.0.0.0/0"]
  }
}

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
