package io.camstream.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** {@link Message}s to frames. Stateless, so one instance serves every channel. */
@ChannelHandler.Sharable
public final class MessageEncoder extends MessageToByteEncoder<Message> {
    public static final MessageEncoder INSTANCE = new MessageEncoder();

    private MessageEncoder() {
        super(Message.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Message msg, ByteBuf out) {
        MessageCodec.encode(msg, out);
    }
}
