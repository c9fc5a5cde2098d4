package dev.slipway.cli;

import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.VSphereException;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code slipway} command. Exit codes: 0 done, 1 something the user can fix (the message says
 * what, on stderr, without a stack trace), 2 anything unexpected (with {@code SLIPWAY_DEBUG=1}, its
 * stack trace).
 */
@Command(
    name = "slipway",
    mixinStandardHelpOptions = true,
    versionProvider = SlipwayCli.Version.class,
    description = "Read Slipway's clusters and VMs: a describe tree, kubeconfigs, vCenter's view.",
    subcommands = {
      DescribeCommand.class,
      KubeconfigCommand.class,
      VmsCommand.class,
      CommandLine.HelpCommand.class
    })
public final class SlipwayCli implements Callable<Integer> {
  public static final int OK = 0;
  public static final int USER_ERROR = 1;
  public static final int UNEXPECTED = 2;

  /** Set by the launcher script to the name it was called by. */
  static final String COMMAND_NAME_PROPERTY = "slipway.command";

  /** Kubernetes answers that mean the request named something wrong or may not be made. */
  private static final Set<Integer> USER_HTTP_CODES = Set.of(400, 401, 403, 404, 409, 422);

  /** vCenter faults the user can act on (wrong address, credentials, trust, privileges). */
  private static final Set<FaultKind> USER_FAULTS =
      Set.of(
          FaultKind.NOT_AUTHENTICATED,
          FaultKind.PERMISSION,
          FaultKind.UNTRUSTED_CERTIFICATE,
          FaultKind.TRANSIENT,
          FaultKind.NOT_FOUND,
          FaultKind.INVALID_ARGUMENT);

  @Spec CommandSpec spec;
  @Mixin KubeOptions kube;

  private final Map<String, String> env;
  private final Clock clock;

  SlipwayCli(Map<String, String> env, Clock clock) {
    this.env = Map.copyOf(env);
    this.clock = clock;
  }

  public static void main(String[] args) {
    // Before any logger exists: the CLI's own quiet configuration, not the operator's.
    System.setProperty("logback.configurationFile", "dev/slipway/cli/logback-cli.xml");
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8));
    // The launcher says how it was called: kubectl-slipway as "kubectl slipway", for usage lines.
    String name = System.getProperty(COMMAND_NAME_PROPERTY, "slipway");
    int code = run(name, args, out, err, System.getenv(), Clock.systemUTC());
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs one command line; what main does, without exiting the JVM. */
  public static int run(
      String[] args, PrintWriter out, PrintWriter err, Map<String, String> env, Clock clock) {
    return run("slipway", args, out, err, env, clock);
  }

  /** Runs one command line as the command {@code name} ("slipway" or "kubectl slipway"). */
  public static int run(
      String name,
      String[] args,
      PrintWriter out,
      PrintWriter err,
      Map<String, String> env,
      Clock clock) {
    CommandLine cmd = new CommandLine(new SlipwayCli(env, clock));
    cmd.setCommandName(name);
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setDefaultValueProvider(new EnvDefaults(env));
    cmd.setParameterExceptionHandler(SlipwayCli::badUsage);
    cmd.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> failed(e, commandLine.getErr(), env));
    int code = cmd.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(), "say what to do; " + spec.name() + " --help lists it");
  }

  Map<String, String> env() {
    return env;
  }

  Clock clock() {
    return clock;
  }

  /** --kubeconfig, --context and -n, wherever on the command line they were given. */
  KubeOptions kube() {
    return kube;
  }

  /** The root command's object, from any subcommand's spec. */
  static SlipwayCli of(CommandSpec spec) {
    return (SlipwayCli) spec.root().userObject();
  }

  private static int badUsage(ParameterException e, String[] args) {
    PrintWriter err = e.getCommandLine().getErr();
    err.println("slipway: " + e.getMessage());
    err.println(
        "Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
    return USER_ERROR;
  }

  /** Prints why a command failed; returns its exit code. */
  static int failed(Exception e, PrintWriter err, Map<String, String> env) {
    String userMessage = userMessage(e);
    if (userMessage != null) {
      err.println("slipway: " + userMessage);
      return USER_ERROR;
    }
    err.println("slipway: unexpected error: " + e);
    if (env.containsKey("SLIPWAY_DEBUG")) {
      e.printStackTrace(err);
    } else {
      err.println("(set SLIPWAY_DEBUG=1 for the stack trace)");
    }
    return UNEXPECTED;
  }

  /** The one line to print for a failure the user can fix; null when it is unexpected. */
  static String userMessage(Throwable e) {
    if (e instanceof UserException) {
      return e.getMessage();
    }
    if (e instanceof VSphereException v && USER_FAULTS.contains(v.kind())) {
      return "vCenter: " + v.getMessage();
    }
    if (e instanceof KubernetesClientException k) {
      if (USER_HTTP_CODES.contains(k.getCode())) {
        String message =
            k.getStatus() != null && k.getStatus().getMessage() != null
                ? k.getStatus().getMessage()
                : k.getMessage();
        return "Kubernetes API: " + message;
      }
    }
    return null;
  }

  /** The version of the jar (its manifest), or "development" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = SlipwayCli.class.getPackage().getImplementationVersion();
      return new String[] {"slipway " + (v == null ? "development" : v)};
    }
  }
}
