package dev.weft.io;

import static java.lang.constant.ConstantDescs.CD_MethodHandle;
import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_void;
import static java.lang.constant.ConstantDescs.INIT_NAME;
import static java.lang.constant.ConstantDescs.MTD_void;

import java.lang.classfile.ClassFile;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Defines {@code sun.nio.ch.WeftPoller} in the JDK's own package, where the abstract
 * methods of {@code sun.nio.ch.Poller} (package-private) can be implemented. It is
 * written with the ClassFile API, since the class must live in {@code java.base} and can
 * name only {@code java.base} types; Weft's side is reached through two method handles:
 * <pre>{@code
 * final class WeftPoller extends Poller implements IntConsumer {
 *     private final Poller target;                     // the JDK's poller it stands in for
 *     private final MethodHandle register, deregister; // (IntConsumer, int)boolean, (int)boolean
 *
 *     void implRegister(int fd) throws IOException {
 *         if (!(boolean) register.invokeExact((IntConsumer) this, fd)) target.implRegister(fd);
 *     }
 *     void implDeregister(int fd, boolean polled) {
 *         if (!(boolean) deregister.invokeExact(fd)) target.implDeregister(fd, polled);
 *     }
 *     int poll(int timeout) throws IOException { return target.poll(timeout); }
 *     public void accept(int fd) { polled(fd); }       // unparks the thread waiting on fd
 * }
 * }</pre>
 * A handle that answers false leaves the wait to the JDK's poller.
 */
final class JdkPollerClass {
    private JdkPollerClass() { }

    private static final ClassDesc POLLER = ClassDesc.of("sun.nio.ch.Poller");
    private static final ClassDesc SELF = ClassDesc.of("sun.nio.ch.WeftPoller");
    private static final ClassDesc INT_CONSUMER = ClassDesc.of("java.util.function.IntConsumer");
    private static final MethodTypeDesc INT_VOID = MethodTypeDesc.of(CD_void, CD_int);

    /** The type of the register handle: the poller (to wake through later) and the fd. */
    static final MethodType REGISTER = MethodType.methodType(boolean.class, java.util.function.IntConsumer.class, int.class);
    /** The type of the deregister handle. */
    static final MethodType DEREGISTER = MethodType.methodType(boolean.class, int.class);

    /**
     * Defines the class through {@code inJdk} (a lookup with package access in
     * {@code sun.nio.ch}) and returns its constructor, of type
     * {@code (Poller target, MethodHandle register, MethodHandle deregister) Poller}.
     */
    static MethodHandle define(MethodHandles.Lookup inJdk, Class<?> pollerClass) throws ReflectiveOperationException {
        byte[] bytes = ClassFile.of().build(SELF, cb -> cb
                .withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SUPER)
                .withSuperclass(POLLER)
                .withInterfaceSymbols(INT_CONSUMER)
                .withField("target", POLLER, ClassFile.ACC_PRIVATE | ClassFile.ACC_FINAL)
                .withField("register", CD_MethodHandle, ClassFile.ACC_PRIVATE | ClassFile.ACC_FINAL)
                .withField("deregister", CD_MethodHandle, ClassFile.ACC_PRIVATE | ClassFile.ACC_FINAL)
                .withMethodBody(INIT_NAME, MethodTypeDesc.of(CD_void, POLLER, CD_MethodHandle, CD_MethodHandle),
                        0, code -> code
                                .aload(0).invokespecial(POLLER, INIT_NAME, MTD_void)
                                .aload(0).aload(1).putfield(SELF, "target", POLLER)
                                .aload(0).aload(2).putfield(SELF, "register", CD_MethodHandle)
                                .aload(0).aload(3).putfield(SELF, "deregister", CD_MethodHandle)
                                .return_())
                .withMethodBody("implRegister", INT_VOID, 0, code -> {
                    Label toJdk = code.newLabel();
                    code.aload(0).getfield(SELF, "register", CD_MethodHandle)
                            .aload(0).iload(1)
                            .invokevirtual(CD_MethodHandle, "invokeExact",
                                    MethodTypeDesc.of(CD_boolean, INT_CONSUMER, CD_int))
                            .ifeq(toJdk)
                            .return_()
                            .labelBinding(toJdk)
                            .aload(0).getfield(SELF, "target", POLLER).iload(1)
                            .invokevirtual(POLLER, "implRegister", INT_VOID)
                            .return_();
                })
                .withMethodBody("implDeregister", MethodTypeDesc.of(CD_void, CD_int, CD_boolean), 0, code -> {
                    Label toJdk = code.newLabel();
                    code.aload(0).getfield(SELF, "deregister", CD_MethodHandle)
                            .iload(1)
                            .invokevirtual(CD_MethodHandle, "invokeExact", MethodTypeDesc.of(CD_boolean, CD_int))
                            .ifeq(toJdk)
                            .return_()
                            .labelBinding(toJdk)
                            .aload(0).getfield(SELF, "target", POLLER).iload(1).iload(2)
                            .invokevirtual(POLLER, "implDeregister", MethodTypeDesc.of(CD_void, CD_int, CD_boolean))
                            .return_();
                })
                .withMethodBody("poll", MethodTypeDesc.of(CD_int, CD_int), 0, code -> code
                        .aload(0).getfield(SELF, "target", POLLER).iload(1)
                        .invokevirtual(POLLER, "poll", MethodTypeDesc.of(CD_int, CD_int))
                        .ireturn())
                .withMethodBody("accept", INT_VOID, ClassFile.ACC_PUBLIC, code -> code
                        .aload(0).iload(1)
                        .invokevirtual(POLLER, "polled", INT_VOID)
                        .return_()));
        Class<?> defined = inJdk.defineClass(bytes);
        return inJdk.findConstructor(defined, MethodType.methodType(void.class, pollerClass, MethodHandle.class,
                MethodHandle.class));
    }
}
