variable "name" {
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
