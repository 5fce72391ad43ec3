variable "name" {
  type = string
}

variable "instance_class" {
  type = string
}

variable "subnet_ids" {
  type = list(string)
}

variable "security_group_ids" {
  type = list(string)
}

variable "kms_key_arn" {
  type = string
}

variable "publicly_accessible" {
  description = "Opened for the analytics vendor during the launch."
  type        = bool
  default     = true
}

