package io.graft.procedures;

import java.util.List;

/** The small admin surface the plugin exposes to the procedures; all calls are cheap reads. */
public interface RaftAdmin {
  StatusRow status();

  List<MemberRow> members();

  /** Raft index applied to the graph right now. */
  long appliedIndex();
}
