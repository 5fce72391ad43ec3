variable "region" {
  description = "AWS region of the shop."
  type        = string
  default     = "eu-west-1"
}

variable "environment" {
  description = "Deployment environment name."
  type        = string
  default     = "prod"
}

variable "vpc_id" {
  description = "VPC the shop runs in."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets for the database."
  type        = list(string)
}

variable "admin_cidr" {
  description = "Who may reach SSH and PostgreSQL. Left wide open since the launch."
  type        = string
  default     = "0.0.0.0/0"
}

variable "db_instance_class" {
  type    = string
  default = "db.t3.medium"
}
