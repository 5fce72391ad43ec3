# Acme Shop production infrastructure (AWS, eu-west-1).

locals {
  name = "acme-shop-${var.environment}"
}

# --- Storage ---------------------------------------------------------------

# Nightly CSV exports of all orders (customer names, addresses). No server-side
# encryption configuration and no lifecycle rule: exports pile up forever.
resource "aws_s3_bucket" "order_exports" {
  bucket = "${local.name}-order-exports"
}

# Look-alike: encrypted with KMS, public access blocked, old receipts tiered and expired.
resource "aws_s3_bucket" "receipts" {
  bucket = "${local.name}-receipts"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "receipts" {
  bucket = aws_s3_bucket.receipts.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.shop.arn
    }
  }
}

resource "aws_s3_bucket_public_access_block" "receipts" {
  bucket                  = aws_s3_bucket.receipts.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_lifecycle_configuration" "receipts" {
  bucket = aws_s3_bucket.receipts.id

  rule {
    id     = "tier-and-expire"
    status = "Enabled"

    filter {}

    transition {
      days          = 30
      storage_class = "INTELLIGENT_TIERING"
    }

    expiration {
      days = 2555
    }
  }
}

resource "aws_kms_key" "shop" {
  description         = "Acme Shop data at rest"
  enable_key_rotation = true
}

# --- Network ---------------------------------------------------------------

# SSH and PostgreSQL reachable from the whole internet.
resource "aws_security_group" "db" {
  name        = "${local.name}-db"
  description = "Database and bastion access"
  vpc_id      = var.vpc_id

  ingress {
    description = "SSH"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }

  ingress {
    description = "PostgreSQL"
    from_port   = 5432
    to_port     = 5432
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

# Look-alike: HTTPS on the public load balancer is meant to be open to everyone.
resource "aws_security_group" "alb" {
  name        = "${local.name}-alb"
  description = "Public HTTPS"
  vpc_id      = var.vpc_id

  ingress {
    description = "HTTPS"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# --- Database --------------------------------------------------------------

module "database" {
  source = "./modules/database"

  name               = local.name
  instance_class     = var.db_instance_class
  subnet_ids         = var.private_subnet_ids
  security_group_ids = [aws_security_group.db.id]
  kms_key_arn        = aws_kms_key.shop.arn
}

# --- Identity --------------------------------------------------------------

# CI deploy role policy: "temporarily" allows everything on everything.
resource "aws_iam_policy" "deployer" {
  name = "${local.name}-deployer"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "*"
        Resource = "*"
      }
    ]
  })
}

# Look-alike: least privilege, one bucket, read and write objects only.
resource "aws_iam_policy" "receipts_writer" {
  name = "${local.name}-receipts-writer"

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["s3:PutObject", "s3:GetObject"]
        Resource = "${aws_s3_bucket.receipts.arn}/receipts/*"
      }
    ]
  })
}

# --- Logs and events -------------------------------------------------------

# No retention_in_days: logs are kept (and billed) forever.
resource "aws_cloudwatch_log_group" "orders" {
  name = "/acme-shop/${var.environment}/orders"
}

# Look-alike: 30 days of retention.
resource "aws_cloudwatch_log_group" "payments" {
  name              = "/acme-shop/${var.environment}/payments"
  retention_in_days = 30
}

# Order events keyed by their creation timestamp: every write of the current
# second lands on the same partition (hot partition).
resource "aws_dynamodb_table" "order_events" {
  name         = "${local.name}-order-events"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "created_at"
  range_key    = "order_id"

  attribute {
    name = "created_at"
    type = "S"
  }

  attribute {
    name = "order_id"
    type = "S"
  }
}

# Look-alike: carts keyed by a high-cardinality id, with TTL on stale items.
resource "aws_dynamodb_table" "carts" {
  name         = "${local.name}-carts"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "cart_id"

  attribute {
    name = "cart_id"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.shop.arn
  }

  point_in_time_recovery {
    enabled = true
  }
}
