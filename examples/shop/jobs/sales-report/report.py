"""Nightly sales report: reads the order exports bucket, writes totals per day and SKU."""

import sys

from pyspark.sql import SparkSession, functions as F


def main(exports_uri: str, out_uri: str) -> None:
    spark = SparkSession.builder.appName("acme-sales-report").getOrCreate()
    orders = spark.read.option("header", True).csv(f"{exports_uri}/orders/*.csv")
    lines = spark.read.option("header", True).csv(f"{exports_uri}/order_lines/*.csv")
    totals = (lines.join(orders, lines.order_id == orders.id)
              .groupBy(F.to_date("created_at").alias("day"), "sku")
              .agg(F.sum("quantity").alias("units")))
    totals.write.mode("overwrite").parquet(out_uri)
    spark.stop()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
