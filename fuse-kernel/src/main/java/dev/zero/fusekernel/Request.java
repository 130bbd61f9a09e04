package dev.zero.fusekernel;

/** Who sent the request being answered ({@code struct fuse_in_header}). Owned by one request thread. */
public final class Request {
  long unique;
  int opcode;
  long nodeId;
  int uid;
  int gid;
  int pid;

  public int uid() {
    return uid;
  }

  public int gid() {
    return gid;
  }

  public int pid() {
    return pid;
  }

  @Override
  public String toString() {
    return "request " + unique + " (opcode " + opcode + ", node " + nodeId + ", uid " + uid + ", pid " + pid + ")";
  }
}
