// The compose broker's accounts, run by entrypoint.sh at every start once the broker is up
// (Java's single-file launcher: `java -cp '/opt/kafka/lib/*' KafkaSetup.java <access file>`),
// through the loopback listener, whose anonymous principal is the only super user:
//   1. one SCRAM-SHA-512 user per service named in the access file, password from
//      KAFKA_<USER>_PASSWORD (upserted, so a changed password applies on the next start);
//   2. the access file's topics, created where missing (the services may not create topics);
//   3. the access file's ACLs, exactly: missing ones created, any other ACL deleted.
// The access file is generated from the services' topic table (tools/deploy-checks).
// `npm start` runs it too, against the local broker's PLAINTEXT listener, for the users of one run
// (tools/run/src/local-kafka-users.ts): with KAFKA_SETUP_ACL_SCOPE=users, step 3 deletes only other
// ACLs of the file's users, never those of another run's users on the same broker.
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

public class KafkaSetup {
  private static final int SCRAM_ITERATIONS = 8192;

  public static void main(String[] args) throws Exception {
    String bootstrap = System.getenv().getOrDefault("KAFKA_SETUP_BOOTSTRAP", "127.0.0.1:19093");
    short replication = Short.parseShort(System.getenv().getOrDefault("KAFKA_SETUP_REPLICATION_FACTOR", "1"));
    String scope = System.getenv().getOrDefault("KAFKA_SETUP_ACL_SCOPE", "all");
    if (!scope.equals("all") && !scope.equals("users")) throw new IllegalArgumentException("KAFKA_SETUP_ACL_SCOPE must be all or users, not " + scope);
    Map<String, Integer> topics = new java.util.TreeMap<>();
    Set<String> users = new LinkedHashSet<>();
    Set<AclBinding> wanted = new HashSet<>();
    for (String line : Files.readAllLines(Path.of(args[0]))) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 0 || f[0].isEmpty() || f[0].startsWith("#")) continue;
      if (f[0].equals("topic") && f.length == 3) {
        topics.put(f[1], Integer.parseInt(f[2]));
      } else if (f[0].equals("acl") && f.length == 6) {
        users.add(f[1]);
        PatternType patternType = switch (f[3]) {
          case "literal" -> PatternType.LITERAL;
          case "prefix" -> PatternType.PREFIXED;
          default -> throw new IllegalArgumentException("unknown pattern type " + f[3] + " in: " + line);
        };
        ResourcePattern pattern = new ResourcePattern(ResourceType.fromString(f[2]), f[4], patternType);
        if (pattern.resourceType() == ResourceType.UNKNOWN) throw new IllegalArgumentException("unknown resource type " + f[2] + " in: " + line);
        for (String operation : f[5].split(",")) {
          AclOperation op = AclOperation.fromString(operation);
          if (op == AclOperation.UNKNOWN) throw new IllegalArgumentException("unknown operation " + operation + " in: " + line);
          wanted.add(new AclBinding(pattern, new AccessControlEntry("User:" + f[1], "*", op, AclPermissionType.ALLOW)));
        }
      } else {
        throw new IllegalArgumentException("cannot read access file line: " + line);
      }
    }

    List<UserScramCredentialAlteration> credentials = new ArrayList<>();
    List<String> missingPasswords = new ArrayList<>();
    for (String user : users) {
      String variable = "KAFKA_" + user.toUpperCase(Locale.ROOT).replace('-', '_') + "_PASSWORD";
      String password = System.getenv(variable);
      if (password == null || password.isEmpty()) missingPasswords.add(variable);
      else credentials.add(new UserScramCredentialUpsertion(user, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, SCRAM_ITERATIONS), password));
    }
    if (!missingPasswords.isEmpty()) throw new IllegalStateException("KAFKA_AUTH=scram needs " + String.join(", ", missingPasswords));

    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "120000");
    try (Admin admin = Admin.create(props)) {
      admin.alterUserScramCredentials(credentials).all().get(120, TimeUnit.SECONDS);

      Set<String> existing = admin.listTopics().names().get(120, TimeUnit.SECONDS);
      List<NewTopic> create = new ArrayList<>();
      for (Map.Entry<String, Integer> topic : topics.entrySet()) {
        if (!existing.contains(topic.getKey())) create.add(new NewTopic(topic.getKey(), topic.getValue(), replication));
      }
      if (!create.isEmpty()) admin.createTopics(create).all().get(120, TimeUnit.SECONDS);

      Set<AclBinding> present = new HashSet<>(admin.describeAcls(AclBindingFilter.ANY).values().get(120, TimeUnit.SECONDS));
      List<AclBindingFilter> stale = new ArrayList<>();
      Set<String> principals = new HashSet<>();
      for (String user : users) principals.add("User:" + user);
      for (AclBinding binding : present) {
        boolean ours = scope.equals("all") || principals.contains(binding.entry().principal());
        if (ours && !wanted.contains(binding)) stale.add(binding.toFilter());
      }
      if (!stale.isEmpty()) admin.deleteAcls(stale).all().get(120, TimeUnit.SECONDS);
      List<AclBinding> missing = new ArrayList<>();
      for (AclBinding binding : wanted) if (!present.contains(binding)) missing.add(binding);
      if (!missing.isEmpty()) admin.createAcls(missing).all().get(120, TimeUnit.SECONDS);
      // The broker's authorizer applies the change from the metadata log a moment after these calls
      // return: wait until it shows the ACLs as wanted, so that a client started next is judged by them.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      for (;;) {
        Set<AclBinding> now = new HashSet<>();
        for (AclBinding binding : admin.describeAcls(AclBindingFilter.ANY).values().get(120, TimeUnit.SECONDS)) {
          if (scope.equals("all") || principals.contains(binding.entry().principal())) now.add(binding);
        }
        if (now.equals(wanted)) break;
        if (System.nanoTime() > deadline) throw new IllegalStateException("the broker does not show the ACLs as set after 60 s");
        Thread.sleep(100);
      }

      System.out.printf("kafka-setup: %d SCRAM users (%s), %d topics created (%d declared), ACLs: %d created, %d deleted, %d in all%n",
          users.size(), String.join(", ", users), create.size(), topics.size(), missing.size(), stale.size(), wanted.size());
    }
  }
}
