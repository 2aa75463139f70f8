package io.camstream.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /metrics} (Prometheus text format), {@code /health/live} and {@code /health/ready}. When the server has
 * a token, {@code /metrics} needs it as {@code Authorization: Bearer <token>}; the health checks stay open, since
 * they say only "live" and "ready" and probes rarely carry credentials.
 */
final class MetricsHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final ServerMetrics metrics;
    private final BooleanSupplier ready;
    /** The expected Authorization header's bytes; null when the server has no token. */
    private final byte[] authorization;

    MetricsHttpHandler(ServerMetrics metrics, BooleanSupplier ready, String token) {
        this.metrics = metrics;
        this.ready = ready;
        this.authorization = token.isEmpty() ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    }

    /** Constant-time, as in the protocol's handshake. */
    private boolean authorized(FullHttpRequest req) {
        if (authorization == null) return true;
        String offered = req.headers().get(HttpHeaderNames.AUTHORIZATION);
        return offered != null && MessageDigest.isEqual(authorization, offered.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        String path = req.uri().split("\\?", 2)[0];
        FullHttpResponse res;
        if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
            res = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only\n");
        } else {
            res = switch (path) {
                case "/metrics" -> {
                    if (!authorized(req)) {
                        FullHttpResponse r = text(HttpResponseStatus.UNAUTHORIZED, "/metrics needs the server's token: Authorization: Bearer <token>\n");
                        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"camstream\"");
                        yield r;
                    }
                    FullHttpResponse r = text(HttpResponseStatus.OK, metrics.scrape());
                    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                    yield r;
                }
                case "/health/live" -> text(HttpResponseStatus.OK, "live\n");
                case "/health/ready" -> ready.getAsBoolean() ? text(HttpResponseStatus.OK, "ready\n")
                        : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready\n");
                default -> text(HttpResponseStatus.NOT_FOUND, "try /metrics, /health/live or /health/ready\n");
            };
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        HttpUtil.setKeepAlive(res, keepAlive);
        var f = ctx.writeAndFlush(res);
        if (!keepAlive) f.addListener(ChannelFutureListener.CLOSE);
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        return r;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
