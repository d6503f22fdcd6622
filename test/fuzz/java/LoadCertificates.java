// Loads every certificate of a PEM bundle with Java's CertificateFactory, as keytool and JSSE do
// when they open a truststore; prints one line per certificate Java refuses and a total.
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

public class LoadCertificates {
  public static void main(String[] args) throws Exception {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    String text = new String(Files.readAllBytes(Paths.get(args[0])), StandardCharsets.US_ASCII);
    String end = "-----END CERTIFICATE-----";
    int refused = 0, total = 0;
    for (String part : text.split(end)) {
      if (!part.contains("-----BEGIN CERTIFICATE-----")) continue;
      total++;
      try {
        X509Certificate certificate = (X509Certificate) factory.generateCertificate(new ByteArrayInputStream((part + end + "\n").getBytes(StandardCharsets.US_ASCII)));
        certificate.getPublicKey();
        certificate.getBasicConstraints();
        certificate.getKeyUsage();
        certificate.getSubjectAlternativeNames();
        certificate.getExtendedKeyUsage();
      } catch (Exception e) {
        refused++;
        System.out.println("refused " + total + ": " + e);
      }
    }
    System.out.println("loaded " + (total - refused) + " of " + total);
  }
}
