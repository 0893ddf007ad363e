package io.graft.plugin.users;

import io.graft.bridge.model.UserRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.neo4j.graphdb.Label;
import org.neo4j.graphdb.Node;
import org.neo4j.graphdb.event.LabelEntry;
import org.neo4j.graphdb.event.PropertyEntry;
import org.neo4j.graphdb.event.TransactionData;

/**
 * What a system-database transaction did to users, read from its {@link TransactionData} in
 * {@code beforeCommit}: Neo4j Community keeps each native user as a {@code :User} node
 * ({@code name, credentials, passwordChangeRequired, suspended, id}) with an {@code :Auth} node
 * beside it (KnownCommunitySecurityComponentVersion, neo4j-security 5.26). The result is the
 * state of every user the transaction touched after it commits: drops (including the old name of
 * a rename) first, then the users that exist, read from the transaction's own view.
 */
final class UserChanges {
  static final Label USER = Label.label("User");
  static final String NAME = "name";
  static final String CREDENTIALS = "credentials";
  static final String CHANGE_REQUIRED = "passwordChangeRequired";
  static final String SUSPENDED = "suspended";

  private UserChanges() {}

  static List<UserRecord> of(TransactionData data) {
    Set<String> deleted = new LinkedHashSet<>();
    for (Node n : data.deletedNodes()) {
      deleted.add(n.getElementId());
    }
    Map<String, Node> touched = new LinkedHashMap<>();
    Set<String> dropped = new LinkedHashSet<>();
    Set<String> deletedUsers = new LinkedHashSet<>();
    for (LabelEntry e : data.removedLabels()) {
      if (e.label().equals(USER) && deleted.contains(e.node().getElementId())) {
        deletedUsers.add(e.node().getElementId());
      }
    }
    for (LabelEntry e : data.assignedLabels()) {
      if (e.label().equals(USER)) {
        touched.put(e.node().getElementId(), e.node());
      }
    }
    for (PropertyEntry<Node> p : data.removedNodeProperties()) {
      String id = p.entity().getElementId();
      if (NAME.equals(p.key()) && deletedUsers.contains(id)
          && p.previouslyCommittedValue() instanceof String name) {
        dropped.add(name);
      }
    }
    for (PropertyEntry<Node> p : data.assignedNodeProperties()) {
      Node node = p.entity();
      if (deleted.contains(node.getElementId()) || !node.hasLabel(USER)) {
        continue;
      }
      touched.put(node.getElementId(), node);
      if (NAME.equals(p.key()) && p.previouslyCommittedValue() instanceof String oldName
          && !oldName.equals(p.value())) {
        dropped.add(oldName); // RENAME USER old TO new
      }
    }
    List<UserRecord> changes = new ArrayList<>();
    Map<String, UserRecord> existing = new LinkedHashMap<>();
    for (Node node : touched.values()) {
      Object name = node.getProperty(NAME, null);
      if (name instanceof String n) {
        existing.put(n, new UserRecord(n, (String) node.getProperty(CREDENTIALS, null),
            Boolean.TRUE.equals(node.getProperty(CHANGE_REQUIRED, false)),
            Boolean.TRUE.equals(node.getProperty(SUSPENDED, false))));
      }
    }
    for (String name : dropped) {
      if (!existing.containsKey(name)) {
        changes.add(UserRecord.drop(name));
      }
    }
    for (UserRecord u : existing.values()) {
      // A user without native credentials (not possible in Community) is not replicated.
      if (!u.dropped()) {
        changes.add(u);
      }
    }
    return changes;
  }
}
