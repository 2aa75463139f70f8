package io.camstream.protocol;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;

import java.util.List;

/** Frame bodies to {@link Message}s. A malformed body fails only its own frame: framing is still intact. */
public final class MessageDecoder extends MessageToMessageDecoder<RawFrame> {
    @Override
    protected void decode(ChannelHandlerContext ctx, RawFrame frame, List<Object> out) {
        out.add(MessageCodec.decode(frame.opcode(), frame.requestId(), frame.content()));
    }
}
