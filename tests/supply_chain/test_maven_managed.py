"""DEP101 on Maven: a version that a BOM import, a parent POM or a ``${property}`` of the POM manages is
pinned; a range, or a missing version with nothing to manage it, is not."""

from __future__ import annotations

from pathlib import Path

from .helpers import audit, write_tree

BOM_POM = """<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId><artifactId>svc</artifactId><version>1.0</version>
  <properties><grpc.version>1.62.2</grpc.version></properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>io.opentelemetry</groupId><artifactId>opentelemetry-bom</artifactId>
        <version>1.36.0</version><type>pom</type><scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency><groupId>io.opentelemetry</groupId><artifactId>opentelemetry-api</artifactId></dependency>
    <dependency><groupId>io.grpc</groupId><artifactId>grpc-core</artifactId><version>${grpc.version}</version></dependency>
  </dependencies>
</project>
"""
PARENT_POM = """<project>
  <modelVersion>4.0.0</modelVersion>
  <parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId>
    <version>3.2.4</version></parent>
  <artifactId>web</artifactId>
  <dependencies>
    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId></dependency>
    <dependency><groupId>org.postgresql</groupId><artifactId>postgresql</artifactId><version>${pg.version}</version></dependency>
  </dependencies>
</project>
"""
LOOSE_POM = """<project>
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId><artifactId>loose</artifactId><version>1.0</version>
  <dependencies>
    <dependency><groupId>com.google.guava</groupId><artifactId>guava</artifactId><version>[30.0,)</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId></dependency>
  </dependencies>
</project>
"""


def test_managed_versions_are_not_unpinned(tmp_path: Path) -> None:
    write_tree(tmp_path, {"bom/pom.xml": BOM_POM, "child/pom.xml": PARENT_POM, "loose/pom.xml": LOOSE_POM})
    found = [f for f in audit(tmp_path, None, select=("DEP",)).findings if f.rule == "DEP101"]
    assert [(f.location.path, f.location.start_line) for f in found] == [("loose/pom.xml", 5)]
    assert "guava [30.0,)" in found[0].message and "slf4j-api no version declared" in found[0].message
