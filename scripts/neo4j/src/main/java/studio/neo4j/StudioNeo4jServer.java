package studio.neo4j;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.internal.kernel.api.connectioninfo.ClientConnectionInfo;
import org.neo4j.internal.kernel.api.security.AuthenticationResult;
import org.neo4j.io.ByteUnit;
import org.neo4j.kernel.api.security.AuthManager;
import org.neo4j.kernel.api.security.AuthToken;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * Alignment Studio's local Neo4j 5 server for tests and CI.
 *
 * <p>Runs Neo4j community embedded, with its Bolt connector listening on 127.0.0.1, and auth
 * enabled for the built-in user {@code neo4j}. It keeps running until the JVM is told to stop
 * (SIGTERM / SIGINT), then shuts the DBMS down cleanly.
 *
 * <p>Configuration, from the command line ({@code --name value}) or else the environment:
 *
 * <ul>
 *   <li>{@code --home} / {@code NEO4J_HOME_DIR}: Neo4j home; logs go to {@code <home>/logs}
 *       (default: the parent of the data directory)
 *   <li>{@code --data-dir} / {@code NEO4J_DATA_DIR}: data directory (default {@code .neo4j/data})
 *   <li>{@code --port} / {@code NEO4J_BOLT_PORT}: Bolt port on 127.0.0.1 (default 7687)
 *   <li>{@code --password} / {@code NEO4J_PASSWORD}: password of user neo4j (default
 *       {@code studio-test-password}, at least 8 characters)
 *   <li>{@code --pagecache} / {@code NEO4J_PAGECACHE_MB}: page cache in MiB (default 512)
 * </ul>
 *
 * <p>Prints {@value #READY_MARKER} once Bolt is up and the password is in place. Exits with
 * status 2 for bad arguments and 1 if Neo4j cannot start.
 */
public final class StudioNeo4jServer {

    /** The line prefix start.sh waits for. */
    static final String READY_MARKER = "STUDIO-NEO4J READY";

    private static final String HOST = "127.0.0.1";
    private static final String USER = "neo4j";
    private static final int MIN_PASSWORD_LENGTH = 8;

    private StudioNeo4jServer() {}

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            fail(2, "bad configuration: " + e.getMessage());
            return;
        }

        // A clear message for the most common failure, before Neo4j spends seconds starting.
        if (!portIsFree(options.port)) {
            fail(1, "cannot start: " + HOST + ":" + options.port
                    + " is already in use (another Neo4j? set NEO4J_BOLT_PORT to use another port)");
        }

        log("starting Neo4j " + neo4jVersion() + " (community, embedded) with Bolt on "
                + HOST + ":" + options.port + ", data in " + options.dataDir);

        DatabaseManagementService dbms;
        try {
            Files.createDirectories(options.dataDir);
            dbms = new DatabaseManagementServiceBuilder(options.home)
                    .setConfig(GraphDatabaseSettings.data_directory, options.dataDir)
                    .setConfig(GraphDatabaseSettings.auth_enabled, true)
                    .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(options.pageCacheMb))
                    // A test server: keep transaction logs small (by default each database
                    // preallocates a 256 MiB log file) and phone nobody.
                    .setConfig(GraphDatabaseSettings.logical_log_rotation_threshold, ByteUnit.mebiBytes(32))
                    .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                    .setConfig(GraphDatabaseSettings.keep_logical_logs, "100M size")
                    .setConfig(GraphDatabaseSettings.udc_enabled, false)
                    .setConfig(BoltConnector.enabled, true)
                    .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, options.port))
                    .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                    // Bolt's network threads otherwise wait two quiet periods of 5 s each on
                    // shutdown; 1 s keeps stop.sh quick (an internal setting of Neo4j 5.26).
                    .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 1)
                    .build();
        } catch (Throwable e) {
            failWithCause("cannot start Neo4j", e);
            return;
        }

        AtomicBoolean stopped = new AtomicBoolean(false);
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (stopped.compareAndSet(false, true)) {
                log("stop requested: shutting Neo4j down");
                try {
                    dbms.shutdown();
                    log("Neo4j stopped cleanly");
                } catch (Throwable e) {
                    log("error while shutting Neo4j down: " + e);
                }
            }
            done.countDown();
        }, "studio-neo4j-shutdown"));

        try {
            long t0 = System.nanoTime();
            String how = setPassword(dbms, options.password);
            log("password of user " + USER + " " + how + " ("
                    + (System.nanoTime() - t0) / 1_000_000 + " ms)");
        } catch (Throwable e) {
            // Shut down here rather than leaving a server with an unknown password behind.
            log("cannot set the password of user " + USER + ": " + describe(e));
            System.exit(1);
        }

        log(READY_MARKER + " bolt://" + HOST + ":" + options.port + " user=" + USER);

        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Makes the password of user neo4j the given one, with no forced change at first login.
     *
     * <p>The password is changed through the system database with Cypher ({@code ALTER USER});
     * embedded transactions run with full rights, so no login is needed for that. This runs on
     * every start, so that NEO4J_PASSWORD always wins, also over an older data directory. To keep
     * restarts quick, the credentials are first checked with Neo4j's own auth manager (an
     * internal API of Neo4j 5.26): when they already work, nothing is changed.
     *
     * @return what was done, for the log
     */
    private static String setPassword(DatabaseManagementService dbms, String password) {
        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        AuthenticationResult current = checkLogin(system, password);
        if (current == AuthenticationResult.SUCCESS) {
            return "already set";
        }
        if (current == AuthenticationResult.PASSWORD_CHANGE_REQUIRED) {
            system.executeTransactionally("ALTER USER " + USER + " SET PASSWORD CHANGE NOT REQUIRED");
            return "already set (no longer needs a change at first login)";
        }
        try {
            system.executeTransactionally(
                    "ALTER USER " + USER + " SET PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
            return "set";
        } catch (RuntimeException e) {
            // Neo4j refuses to "change" a password to the one it already has (possible when the
            // check above could not run); then only make sure no change is required at login.
            if (!describe(e).toLowerCase().contains("cannot be the same")) {
                throw e;
            }
            system.executeTransactionally("ALTER USER " + USER + " SET PASSWORD CHANGE NOT REQUIRED");
            return "unchanged";
        }
    }

    /** Tries the credentials with Neo4j's auth manager; null if that cannot be done. */
    private static AuthenticationResult checkLogin(GraphDatabaseService system, String password) {
        try {
            AuthManager auth = ((GraphDatabaseAPI) system).getDependencyResolver()
                    .resolveDependency(AuthManager.class);
            return auth.login(AuthToken.newBasicAuthToken(USER, password),
                            ClientConnectionInfo.EMBEDDED_CONNECTION)
                    .subject()
                    .getAuthenticationResult();
        } catch (Exception | LinkageError e) {
            log("note: could not check the current password (" + e + "); setting it");
            return null;
        }
    }

    private static boolean portIsFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String neo4jVersion() {
        Package p = DatabaseManagementServiceBuilder.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "5" : v;
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (sb.length() > 0) {
                sb.append(" <- caused by: ");
            }
            sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
            if (t.getCause() == t) {
                break;
            }
        }
        return sb.toString();
    }

    private static void failWithCause(String what, Throwable e) {
        String detail = describe(e);
        String hint = "";
        String lower = detail.toLowerCase();
        if (lower.contains("address already in use") || lower.contains("portbind")) {
            hint = " (the Bolt port is in use; set NEO4J_BOLT_PORT to use another port)";
        } else if (lower.contains("lock")) {
            hint = " (is another Neo4j using the same data directory?)";
        }
        System.err.println("studio-neo4j: " + what + ": " + detail + hint);
        e.printStackTrace(System.err);
        System.exit(1);
    }

    private static void fail(int status, String message) {
        System.err.println("studio-neo4j: " + message);
        System.exit(status);
    }

    private static void log(String message) {
        System.out.println("studio-neo4j: " + message);
        System.out.flush();
    }

    /** Command line and environment settings. */
    private record Options(Path home, Path dataDir, int port, String password, long pageCacheMb) {

        static Options parse(String[] args) {
            Map<String, String> cli = new java.util.HashMap<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (!a.startsWith("--")) {
                    throw new IllegalArgumentException("unexpected argument '" + a + "'");
                }
                String name = a.substring(2);
                String value;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new IllegalArgumentException("missing value for --" + name);
                }
                if (!java.util.Set.of("home", "data-dir", "port", "password", "pagecache").contains(name)) {
                    throw new IllegalArgumentException("unknown option --" + name);
                }
                cli.put(name, value);
            }

            Path dataDir = Path.of(pick(cli, "data-dir", "NEO4J_DATA_DIR", ".neo4j/data"))
                    .toAbsolutePath().normalize();
            String homeValue = pick(cli, "home", "NEO4J_HOME_DIR", null);
            Path home = homeValue == null
                    ? (dataDir.getParent() == null ? dataDir : dataDir.getParent())
                    : Path.of(homeValue).toAbsolutePath().normalize();

            int port = parseInt(pick(cli, "port", "NEO4J_BOLT_PORT", "7687"), "Bolt port");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("Bolt port " + port + " is out of range 1-65535");
            }

            String password = pick(cli, "password", "NEO4J_PASSWORD", "studio-test-password");
            if (password.length() < MIN_PASSWORD_LENGTH) {
                throw new IllegalArgumentException("the password must have at least "
                        + MIN_PASSWORD_LENGTH + " characters (Neo4j 5 refuses shorter ones)");
            }

            long pageCacheMb = parseInt(pick(cli, "pagecache", "NEO4J_PAGECACHE_MB", "512"), "page cache MiB");
            if (pageCacheMb < 8) {
                throw new IllegalArgumentException("page cache must be at least 8 MiB");
            }
            return new Options(home, dataDir, port, password, pageCacheMb);
        }

        private static String pick(Map<String, String> cli, String option, String env, String fallback) {
            String v = cli.get(option);
            if (v == null || v.isEmpty()) {
                v = System.getenv(env);
            }
            return v == null || v.isEmpty() ? fallback : v;
        }

        private static int parseInt(String value, String what) {
            try {
                return Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + " '" + value + "' is not a number");
            }
        }
    }
}
