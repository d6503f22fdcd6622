// A CMPv2 client built on BouncyCastle's CMP/CRMF classes (bcpkix), enrolling the way ONAP
// CertService does: an `ir` protected with a password-based MAC (senderKID = reference), a
// signature proof-of-possession, then certConf/pkiconf (or implicitConfirm when granted).
// Used by the peer tests as a second, independent CMP implementation against our development CA.
//
// Usage: java -cp <bc jars>:<classes> CmpEnroll --url URL --ref REF --secret SECRET
//          --subject DN --dns NAME [--recipient DN] [--implicit-confirm] [--pbm sha256] --out DIR
// Exit codes: 0 enrolled; 2 the CA answered with an error or rejection; 1 anything else.

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Security;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;

import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.cmp.CMPCertificate;
import org.bouncycastle.asn1.cmp.CMPObjectIdentifiers;
import org.bouncycastle.asn1.cmp.CertRepMessage;
import org.bouncycastle.asn1.cmp.CertResponse;
import org.bouncycastle.asn1.cmp.ErrorMsgContent;
import org.bouncycastle.asn1.cmp.InfoTypeAndValue;
import org.bouncycastle.asn1.cmp.PKIBody;
import org.bouncycastle.asn1.cmp.PKIFreeText;
import org.bouncycastle.asn1.cmp.PKIHeader;
import org.bouncycastle.asn1.cmp.PBMParameter;
import org.bouncycastle.asn1.cmp.PKIMessage;
import org.bouncycastle.asn1.cmp.PKIStatusInfo;
import org.bouncycastle.asn1.crmf.CertReqMessages;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.cmp.CertificateConfirmationContent;
import org.bouncycastle.cert.cmp.CertificateConfirmationContentBuilder;
import org.bouncycastle.cert.cmp.GeneralPKIMessage;
import org.bouncycastle.cert.cmp.ProtectedPKIMessage;
import org.bouncycastle.cert.cmp.ProtectedPKIMessageBuilder;
import org.bouncycastle.cert.crmf.CertificateRequestMessage;
import org.bouncycastle.cert.crmf.PKMACBuilder;
import org.bouncycastle.cert.crmf.jcajce.JcaCertificateRequestMessageBuilder;
import org.bouncycastle.cert.crmf.jcajce.JcePKMACValuesCalculator;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

public final class CmpEnroll {
  /** The CA said no: an error message or a rejecting PKIStatus. */
  static final class CaAnswer extends Exception {
    private static final long serialVersionUID = 1L;

    CaAnswer(String message) {
      super(message);
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  public static void main(String[] argv) {
    try {
      Map<String, String> args = parse(argv);
      enroll(args);
    } catch (CaAnswer answer) {
      System.err.println("CmpEnroll: the CA refused: " + answer.getMessage());
      System.exit(2);
    } catch (Exception e) {
      System.err.println("CmpEnroll: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      System.exit(1);
    }
  }

  private static Map<String, String> parse(String[] argv) {
    Map<String, String> args = new HashMap<>();
    for (int i = 0; i < argv.length; i++) {
      String name = argv[i];
      if (name.equals("--implicit-confirm")) {
        args.put(name, "true");
      } else if (name.startsWith("--") && i + 1 < argv.length) {
        args.put(name, argv[++i]);
      } else {
        throw new IllegalArgumentException("unexpected argument " + name);
      }
    }
    for (String required : new String[] {"--url", "--ref", "--secret", "--subject", "--dns", "--out"}) {
      if (!args.containsKey(required)) throw new IllegalArgumentException("missing " + required);
    }
    return args;
  }

  private static byte[] random(int length) {
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static void enroll(Map<String, String> args) throws Exception {
    Security.addProvider(new BouncyCastleProvider());
    char[] secret = args.get("--secret").toCharArray();
    X500Name subject = new X500Name(args.get("--subject"));
    GeneralName sender = new GeneralName(subject);
    GeneralName recipient = new GeneralName(new X500Name(args.getOrDefault("--recipient", "CN=test-ca")));
    boolean askImplicitConfirm = args.containsKey("--implicit-confirm");
    // PBM as ONAP CertService configures it: BouncyCastle's defaults (SHA-1 OWF, HMAC-SHA1, 1000 iterations);
    // `--pbm sha256` switches to SHA-256 and hmacWithSHA256 (RFC 9481's recommendation).
    PKMACBuilder pbm = new PKMACBuilder(new JcePKMACValuesCalculator().setProvider("BC"));
    if ("sha256".equals(args.get("--pbm"))) {
      pbm.setParameters(new PBMParameter(random(16), new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256), 2000,
          new AlgorithmIdentifier(PKCSObjectIdentifiers.id_hmacWithSHA256, DERNull.INSTANCE)));
    }

    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", "BC");
    generator.initialize(new ECGenParameterSpec("P-256"), RANDOM);
    KeyPair keyPair = generator.generateKeyPair();

    JcaCertificateRequestMessageBuilder request = new JcaCertificateRequestMessageBuilder(BigInteger.ZERO);
    request.setSubject(subject);
    request.setPublicKey(keyPair.getPublic());
    request.addExtension(Extension.subjectAlternativeName, false,
        new GeneralNames(new GeneralName(GeneralName.dNSName, args.get("--dns"))));
    request.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    request.setProofOfPossessionSigningKeySigner(
        new JcaContentSignerBuilder("SHA256withECDSA").setProvider("BC").build(keyPair.getPrivate()));
    CertificateRequestMessage crmf = request.build();

    byte[] transactionId = random(16);
    byte[] senderNonce = random(16);
    ProtectedPKIMessageBuilder ir = new ProtectedPKIMessageBuilder(sender, recipient)
        .setMessageTime(new Date())
        .setTransactionID(transactionId)
        .setSenderNonce(senderNonce)
        .setSenderKID(args.get("--ref").getBytes(StandardCharsets.UTF_8))
        .setBody(new PKIBody(PKIBody.TYPE_INIT_REQ, new CertReqMessages(crmf.toASN1Structure())));
    if (askImplicitConfirm) {
      ir.addGeneralInfo(new InfoTypeAndValue(CMPObjectIdentifiers.it_implicitConfirm, DERNull.INSTANCE));
    }
    ProtectedPKIMessage ip = exchange(args.get("--url"), ir.build(pbm.build(secret)), pbm, secret, transactionId, senderNonce);
    if (ip.getBody().getType() != PKIBody.TYPE_INIT_REP) {
      throw new IllegalStateException("expected ip, got body type " + ip.getBody().getType());
    }
    CertRepMessage reply = CertRepMessage.getInstance(ip.getBody().getContent());
    CertResponse response = reply.getResponse()[0];
    int status = response.getStatus().getStatus().intValue();
    if (status != 0 && status != 1) throw new CaAnswer(describe(response.getStatus()));
    CMPCertificate issued = response.getCertifiedKeyPair().getCertOrEncCert().getCertificate();
    if (!issued.isX509v3PKCert()) throw new IllegalStateException("the CA returned no X.509 certificate");
    X509CertificateHolder certificate = new X509CertificateHolder(issued.getX509v3PKCert());
    SubjectPublicKeyInfo requestedKey = SubjectPublicKeyInfo.getInstance(keyPair.getPublic().getEncoded());
    if (!certificate.getSubjectPublicKeyInfo().equals(requestedKey)) {
      throw new IllegalStateException("the CA certified a different public key");
    }

    boolean implicitlyConfirmed = askImplicitConfirm && grantsImplicitConfirm(ip.getHeader());
    if (!implicitlyConfirmed) {
      CertificateConfirmationContent confirmation = new CertificateConfirmationContentBuilder()
          .addAcceptedCertificate(certificate, BigInteger.ZERO)
          .build(new JcaDigestCalculatorProviderBuilder().setProvider("BC").build());
      byte[] confirmNonce = random(16);
      ProtectedPKIMessageBuilder certConf = new ProtectedPKIMessageBuilder(sender, recipient)
          .setMessageTime(new Date())
          .setTransactionID(transactionId)
          .setSenderNonce(confirmNonce)
          .setRecipNonce(ip.getHeader().getSenderNonce().getOctets())
          .setSenderKID(args.get("--ref").getBytes(StandardCharsets.UTF_8))
          .setBody(PKIBody.TYPE_CERT_CONFIRM, confirmation);
      ProtectedPKIMessage pkiconf = exchange(args.get("--url"), certConf.build(pbm.build(secret)), pbm, secret, transactionId, confirmNonce);
      if (pkiconf.getBody().getType() != PKIBody.TYPE_CONFIRM) {
        throw new IllegalStateException("expected pkiconf, got body type " + pkiconf.getBody().getType());
      }
    }

    Path out = Path.of(args.get("--out"));
    Files.createDirectories(out);
    Files.writeString(out.resolve("cert.pem"), pem(certificate.getEncoded()));
    StringBuilder extra = new StringBuilder();
    for (X509CertificateHolder holder : ip.getCertificates()) extra.append(pem(holder.getEncoded()));
    Files.writeString(out.resolve("extracerts.pem"), extra.toString());
    StringBuilder caPubs = new StringBuilder();
    if (reply.getCaPubs() != null) {
      for (CMPCertificate ca : reply.getCaPubs()) caPubs.append(pem(ca.getEncoded()));
    }
    Files.writeString(out.resolve("capubs.pem"), caPubs.toString());
    AlgorithmIdentifier protection = ip.getHeader().getProtectionAlg();
    if (protection.getAlgorithm().equals(CMPObjectIdentifiers.passwordBasedMac)) {
      PBMParameter used = PBMParameter.getInstance(protection.getParameters());
      System.out.println("response PBM owf " + used.getOwf().getAlgorithm() + " mac " + used.getMac().getAlgorithm()
          + " iterations " + used.getIterationCount().getValue());
    }
    System.out.println("enrolled " + certificate.getSubject() + " serial " + certificate.getSerialNumber().toString(16)
        + (implicitlyConfirmed ? " (implicitly confirmed)" : " (confirmed)"));
  }

  private static boolean grantsImplicitConfirm(PKIHeader header) {
    InfoTypeAndValue[] info = header.getGeneralInfo();
    if (info == null) return false;
    return Arrays.stream(info).anyMatch(i -> i.getInfoType().equals(CMPObjectIdentifiers.it_implicitConfirm));
  }

  /** Sends one message and returns the verified answer; an error body becomes CaAnswer. */
  private static ProtectedPKIMessage exchange(String url, ProtectedPKIMessage request, PKMACBuilder pbm, char[] secret,
      byte[] transactionId, byte[] senderNonce) throws Exception {
    HttpRequest post = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/pkixcmp")
        .POST(HttpRequest.BodyPublishers.ofByteArray(request.toASN1Structure().getEncoded()))
        .build();
    HttpResponse<byte[]> response = HTTP.send(post, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) throw new IllegalStateException("HTTP status " + response.statusCode());
    PKIMessage message = PKIMessage.getInstance(new ByteArrayInputStream(response.body()).readAllBytes());
    GeneralPKIMessage general = new GeneralPKIMessage(message);
    boolean verified = false;
    if (general.hasProtection()) {
      ProtectedPKIMessage protectedMessage = new ProtectedPKIMessage(general);
      verified = protectedMessage.hasPasswordBasedMacProtection() && protectedMessage.verify(pbm, secret);
    }
    if (general.getBody().getType() == PKIBody.TYPE_ERROR) {
      ErrorMsgContent error = ErrorMsgContent.getInstance(general.getBody().getContent());
      throw new CaAnswer(describe(error.getPKIStatusInfo()) + (verified ? "" : " [protection not verified]"));
    }
    if (!verified) throw new IllegalStateException("the response is not protected with our shared secret");
    PKIHeader header = general.getHeader();
    if (!Arrays.equals(header.getTransactionID().getOctets(), transactionId)) {
      throw new IllegalStateException("transactionID differs");
    }
    ASN1OctetString recipNonce = header.getRecipNonce();
    if (recipNonce == null || !Arrays.equals(recipNonce.getOctets(), senderNonce)) {
      throw new IllegalStateException("recipNonce does not echo our senderNonce");
    }
    return new ProtectedPKIMessage(general);
  }

  private static final String[] FAIL_INFO = {"badAlg", "badMessageCheck", "badRequest", "badTime", "badCertId",
      "badDataFormat", "wrongAuthority", "incorrectData", "missingTimeStamp", "badPOP", "certRevoked",
      "certConfirmed", "wrongIntegrity", "badRecipientNonce", "timeNotAvailable", "unacceptedPolicy",
      "unacceptedExtension", "addInfoNotAvailable", "badSenderNonce", "badCertTemplate", "signerNotTrusted",
      "transactionIdInUse", "unsupportedVersion", "notAuthorized", "systemUnavail", "systemFailure",
      "duplicateCertReq"};

  private static String describe(PKIStatusInfo info) {
    StringBuilder text = new StringBuilder("status " + info.getStatus());
    ASN1BitString failInfo = info.getFailInfo();
    if (failInfo != null) {
      byte[] bytes = failInfo.getBytes();
      StringBuilder names = new StringBuilder();
      for (int bit = 0; bit < FAIL_INFO.length && bit / 8 < bytes.length; bit++) {
        if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0) names.append(names.length() == 0 ? "" : ",").append(FAIL_INFO[bit]);
      }
      text.append(", failInfo ").append(names);
    }
    PKIFreeText statusString = info.getStatusString();
    if (statusString != null) {
      for (int i = 0; i < statusString.size(); i++) text.append(", \"").append(statusString.getStringAtUTF8(i).getString()).append('"');
    }
    return text.toString();
  }

  private static String pem(byte[] der) {
    return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END CERTIFICATE-----\n";
  }
}
