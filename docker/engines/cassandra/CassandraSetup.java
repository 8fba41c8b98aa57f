// Runs the CQL statements on stdin (separated by `;` at the end of a line) as the superuser
// `cassandra`, once the node answers: entrypoint.sh's role setup with CASSANDRA_AUTH=password,
// through Java's single-file launcher and the DataStax driver that ships with Cassandra
// (`java -cp '/opt/cassandra/lib/*' CassandraSetup.java`). The superuser's password is
// CASSANDRA_SUPERUSER_PASSWORD; on a fresh node it is still Cassandra's well-known default, which
// this replaces first, so the default never stays valid past the first start.
import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.ProtocolVersion;
import com.datastax.driver.core.Session;
import com.datastax.driver.core.exceptions.AuthenticationException;
import com.datastax.driver.core.exceptions.NoHostAvailableException;
import com.datastax.driver.core.exceptions.OverloadedException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

public class CassandraSetup {
  private static final String SUPERUSER = "cassandra";
  private static final String DEFAULT_PASSWORD = "cassandra";
  private static final long WAIT_MS = 300_000;

  public static void main(String[] args) throws Exception {
    String password = System.getenv("CASSANDRA_SUPERUSER_PASSWORD");
    if (password == null || password.isEmpty()) throw new IllegalStateException("CASSANDRA_AUTH=password needs CASSANDRA_SUPERUSER_PASSWORD");
    String script = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).lines().collect(Collectors.joining("\n"));
    List<String> statements = new ArrayList<>();
    for (String statement : script.split(";\\s*(\\n|$)")) if (!statement.isBlank()) statements.add(statement.trim());

    long deadline = System.currentTimeMillis() + WAIT_MS;
    for (;;) {
      try (Cluster cluster = connect(password); Session session = cluster.connect()) {
        for (String statement : statements) execute(session, statement);
        System.out.printf("cassandra-setup: %d statements run as %s%n", statements.size(), SUPERUSER);
        return;
      } catch (AuthenticationException refused) {
        // A fresh node: the superuser still has the default password. Replace it, then start over.
        try (Cluster cluster = connect(DEFAULT_PASSWORD); Session session = cluster.connect()) {
          session.execute("ALTER ROLE " + SUPERUSER + " WITH PASSWORD = '" + password.replace("'", "''") + "'");
          System.out.println("cassandra-setup: replaced the default superuser password");
          continue;
        } catch (AuthenticationException alsoRefused) {
          // The default role is created a moment after the node starts listening: retry until the deadline.
          if (System.currentTimeMillis() > deadline) {
            throw new IllegalStateException("superuser " + SUPERUSER + " refuses CASSANDRA_SUPERUSER_PASSWORD and the default password", refused);
          }
        } catch (NoHostAvailableException notYet) {
          if (System.currentTimeMillis() > deadline) throw notYet;
        }
      } catch (NoHostAvailableException notYet) {
        if (System.currentTimeMillis() > deadline) throw notYet;
      }
      Thread.sleep(2_000);
    }
  }

  /**
   * Cassandra 5 lets a role's password change at most every 5 s and answers Overloaded before
   * then: CREATE ROLE followed by ALTER ROLE (which keeps a changed password in step) on a fresh
   * node. Waits that out.
   */
  private static void execute(Session session, String statement) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        session.execute(statement);
        return;
      } catch (OverloadedException overloaded) {
        if (attempt == 3) throw overloaded;
        Thread.sleep(5_500);
      }
    }
  }

  private static Cluster connect(String password) {
    return Cluster.builder()
        .addContactPoint("127.0.0.1")
        .withPort(9042)
        .withProtocolVersion(ProtocolVersion.V4)
        .withCredentials(SUPERUSER, password)
        .withoutMetrics()
        .withoutJMXReporting()
        .build();
  }
}
