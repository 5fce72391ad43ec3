"""The system map: a synthesis step over the facts of compose, Kubernetes, Terraform, Dockerfiles and
ownership files (it never reads a file itself)."""
