// A real JSSE TLS handshake for the peer tests: for each group of arguments
//   label keystoreType keystorePath keystorePasswordFile truststoreType truststorePath truststorePasswordFile
// it runs a TLS server whose key manager reads only the keystore and a client whose trust
// manager reads only the truststore (hostname checked against 127.0.0.1), and prints one line:
//   "<label> OK <protocol> <cipher suite> chain=<certificates the server sent>"  or
//   "<label> FAIL <exception>: <message>".
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public final class TlsHandshake {
  private static char[] password(String file) throws Exception {
    return Files.readString(Path.of(file), StandardCharsets.UTF_8).toCharArray();
  }

  private static KeyStore load(String type, String path, char[] password) throws Exception {
    KeyStore store = KeyStore.getInstance(type);
    try (InputStream in = Files.newInputStream(Path.of(path))) {
      store.load(in, password);
    }
    return store;
  }

  private static String handshake(String[] a, int i) throws Exception {
    char[] keyPassword = password(a[i + 3]);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
    kmf.init(load(a[i + 1], a[i + 2], keyPassword), keyPassword);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(load(a[i + 4], a[i + 5], password(a[i + 6])));
    SSLContext serverContext = SSLContext.getInstance("TLS");
    serverContext.init(kmf.getKeyManagers(), null, null);
    SSLContext clientContext = SSLContext.getInstance("TLS");
    clientContext.init(null, tmf.getTrustManagers(), null);
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    try (SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0, 1, loopback)) {
      server.setSoTimeout(20000);
      CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
        try (SSLSocket socket = (SSLSocket) server.accept()) {
          socket.startHandshake();
          OutputStream out = socket.getOutputStream();
          out.write('!');
          out.flush();
        } catch (Exception e) {
          // The client reports the failure; the server side only has to stop.
        }
      });
      try (SSLSocket client = (SSLSocket) clientContext.getSocketFactory().createSocket(loopback, server.getLocalPort())) {
        client.setSoTimeout(20000);
        SSLParameters parameters = client.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        client.setSSLParameters(parameters);
        client.startHandshake();
        int got = client.getInputStream().read();
        if (got != '!') throw new IllegalStateException("server sent no data");
        String result = "OK " + client.getSession().getProtocol() + " " + client.getSession().getCipherSuite()
            + " chain=" + client.getSession().getPeerCertificates().length;
        served.get(20, TimeUnit.SECONDS);
        return result;
      }
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args.length % 7 != 0) {
      System.err.println("usage: TlsHandshake (label ksType ksPath ksPassFile tsType tsPath tsPassFile)...");
      System.exit(2);
    }
    for (int i = 0; i < args.length; i += 7) {
      String line;
      try {
        line = handshake(args, i);
      } catch (Exception e) {
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        line = "FAIL " + root.getClass().getName() + ": " + String.valueOf(root.getMessage()).replace('\n', ' ');
      }
      System.out.println(args[i] + " " + line);
      System.out.flush();
    }
  }
}
