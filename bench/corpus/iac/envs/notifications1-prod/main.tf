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
    role_arn = "arn:aws:iam::702246599262:role/terraform"
  }
}

locals {
  name = "notifications1-${var.env}"
  tags = {
    Service     = "notifications1"
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
  backup_days = 14
  public      = false
  subnet_ids  = module.network.subnet_ids
}

module "storage" {
  source         = "../../modules/storage"
  bucket         = "${local.name}-data"
  lifecycle_days = 30
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
  kms_master_key_id          = "alias/aws/sqs"
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
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.public.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = "arn:aws:acm:${var.region}:702246599262:certificate/abc"
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
  hash_key     = "session_id"
  range_key    = "expires_at"
  attribute {
    name = "session_id"
    type = "S"
  }
  attribute {
    name = "expires_at"
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
    cidr_blocks = ["10.20.0.0/16"]
  }
}

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
