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
import java.util.function.BooleanSupplier;

/** {@code GET /metrics} (Prometheus text format), {@code /health/live} and {@code /health/ready}. */
final class MetricsHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final ServerMetrics metrics;
    private final BooleanSupplier ready;

    MetricsHttpHandler(ServerMetrics metrics, BooleanSupplier ready) {
        this.metrics = metrics;
        this.ready = ready;
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
