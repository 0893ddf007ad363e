package io.graft.it.monitoring;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * Packs compiled test classes into a jar a Neo4j server loads from {@code plugins/}: Neo4j scans
 * every class of a plugin jar for {@code @Procedure}, no service file needed.
 */
final class TestPluginJar {
  private TestPluginJar() {}

  static Path write(Path jar, Class<?>... classes) {
    try {
      Files.createDirectories(jar.getParent());
      try (OutputStream file = Files.newOutputStream(jar);
          JarOutputStream out = new JarOutputStream(file)) {
        for (Class<?> c : classes) {
          String entry = c.getName().replace('.', '/') + ".class";
          out.putNextEntry(new JarEntry(entry));
          try (InputStream in = c.getClassLoader().getResourceAsStream(entry)) {
            if (in == null) {
              throw new IllegalStateException("no class file for " + c.getName());
            }
            in.transferTo(out);
          }
          out.closeEntry();
        }
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + jar, e);
    }
  }
}
