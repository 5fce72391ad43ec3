output "database_endpoint" {
  value = module.database.endpoint
}

output "order_exports_bucket" {
  value = aws_s3_bucket.order_exports.bucket
}
