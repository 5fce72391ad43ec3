output "endpoint" {
  value = aws_db_instance.main.endpoint
}
