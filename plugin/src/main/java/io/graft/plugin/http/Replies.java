package io.graft.plugin.http;

import java.util.Map;
import javax.ws.rs.core.Response;

/** {@link GraftHttp.Reply} as a JAX-RS response. */
final class Replies {
  private Replies() {}

  static Response toResponse(GraftHttp.Reply reply) {
    Response.ResponseBuilder b = Response.status(reply.status())
        .type(reply.contentType())
        .entity(reply.body());
    for (Map.Entry<String, String> h : reply.headers().entrySet()) {
      b.header(h.getKey(), h.getValue());
    }
    return b.build();
  }
}
