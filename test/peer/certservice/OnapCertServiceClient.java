// A CertService client that behaves like ONAP's (oom-platform-cert-service certServiceClient), for
// the peer tests of `cmpv2-operator certservice`: RSA 2048 key, a PKCS#10 CSR signed SHA1withRSA
// with the subject written L, OU, O, ST, C, CN (ONAP's order) and SANs of every type in one
// extension, the key sent as a PKCS#8 body under the label RSA PRIVATE KEY, mutual TLS from a JKS
// keystore and truststore, GET {url}{caName} with headers CSR and PK (base64 of PEM text).
// On 200 it checks what ONAP's client relies on: certificateChain leaf first and for its key,
// each certificate signed by the next, the top signed by one of trustedCertificates, and no
// certificate twice in trustedCertificates (ONAP's client fails on a duplicate alias).
// Output: "enrolled <subject>", "san <text>", "roots <n>", "root <subject>"; on an error answer
// "error <status> <errorMessage>" and exit code 2. Written for these tests; no ONAP code.
import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

public final class OnapCertServiceClient {
    private OnapCertServiceClient() {}

    private static String pem(String label, byte[] der) throws Exception {
        StringWriter text = new StringWriter();
        try (PemWriter writer = new PemWriter(text)) {
            writer.writeObject(new PemObject(label, der));
        }
        return text.toString();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static KeyStore load(String file, char[] password) throws Exception {
        KeyStore store = KeyStore.getInstance("JKS");
        try (InputStream in = new FileInputStream(file)) {
            store.load(in, password);
        }
        return store;
    }

    /** The strings of a JSON array field, unescaped (the answer is CertService's small JSON). */
    private static List<String> jsonStrings(String json, String field) {
        List<String> out = new ArrayList<>();
        Matcher array = Pattern.compile("\"" + field + "\"\\s*:\\s*\\[(.*?)\\]", Pattern.DOTALL).matcher(json);
        if (!array.find()) return out;
        Matcher item = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(array.group(1));
        while (item.find()) out.add(item.group(1).replace("\\n", "\n").replace("\\/", "/").replace("\\\"", "\""));
        return out;
    }

    private static String jsonString(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        return m.find() ? m.group(1) : "(none)";
    }

    private static X509Certificate certificate(String pemText) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pemText.getBytes(StandardCharsets.US_ASCII)));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        String requestUrl = opt.get("request-url");
        String caName = opt.get("ca-name");
        char[] keystorePassword = opt.get("keystore-password").toCharArray();
        char[] truststorePassword = opt.get("truststore-password").toCharArray();

        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keyPair = generator.generateKeyPair();

        // ONAP's order: L, OU, O, ST, C, CN.
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.L, opt.get("location"))
            .addRDN(BCStyle.OU, opt.get("organization-unit"))
            .addRDN(BCStyle.O, opt.get("organization"))
            .addRDN(BCStyle.ST, opt.get("state"))
            .addRDN(BCStyle.C, opt.get("country"))
            .addRDN(BCStyle.CN, opt.get("common-name"))
            .build();
        List<GeneralName> sans = new ArrayList<>();
        for (String san : opt.get("sans").split(",")) {
            if (san.matches("[0-9.]+")) sans.add(new GeneralName(GeneralName.iPAddress, san));
            else if (san.contains("@")) sans.add(new GeneralName(GeneralName.rfc822Name, san));
            else if (san.contains("://")) sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, san));
            else sans.add(new GeneralName(GeneralName.dNSName, san));
        }
        ExtensionsGenerator extensions = new ExtensionsGenerator();
        extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(new GeneralName[0])));
        PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(subject, keyPair.getPublic())
            .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
            .build(new JcaContentSignerBuilder("SHA1withRSA").build(keyPair.getPrivate()));

        String csrHeader = base64(pem("CERTIFICATE REQUEST", csr.getEncoded()));
        // ONAP's client: the PKCS#8 encoding (getEncoded) under the label RSA PRIVATE KEY.
        String pkHeader = base64(pem("RSA PRIVATE KEY", keyPair.getPrivate().getEncoded()));

        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(load(opt.get("keystore"), keystorePassword), keystorePassword);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(load(opt.get("truststore"), truststorePassword));
        SSLContext tls = SSLContext.getInstance("TLSv1.2");
        tls.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);

        HttpClient client = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(requestUrl + caName))
            .timeout(Duration.ofSeconds(60))
            .header("CSR", csrHeader)
            .header("PK", pkHeader)
            .GET()
            .build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        String body = response.body();
        if (response.statusCode() != 200) {
            System.out.println("error " + response.statusCode() + " " + jsonString(body, "errorMessage"));
            System.exit(2);
        }
        List<X509Certificate> chain = new ArrayList<>();
        for (String text : jsonStrings(body, "certificateChain")) chain.add(certificate(text));
        List<X509Certificate> roots = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String text : jsonStrings(body, "trustedCertificates")) {
            X509Certificate root = certificate(text);
            String digest = new BigInteger(1, MessageDigest.getInstance("SHA-256").digest(root.getEncoded())).toString(16);
            if (!seen.add(digest)) throw new IllegalStateException("trustedCertificates holds a certificate twice: " + root.getSubjectX500Principal());
            roots.add(root);
        }
        if (chain.isEmpty()) throw new IllegalStateException("empty certificateChain");
        if (!chain.get(0).getPublicKey().equals(keyPair.getPublic())) throw new IllegalStateException("the first certificate is not for our key");
        for (int i = 0; i + 1 < chain.size(); i++) chain.get(i).verify(chain.get(i + 1).getPublicKey());
        X509Certificate top = chain.get(chain.size() - 1);
        boolean anchored = false;
        for (X509Certificate root : roots) {
            try {
                top.verify(root.getPublicKey());
                anchored = true;
            } catch (java.security.GeneralSecurityException e) {
                // another root
            }
        }
        if (!anchored) throw new IllegalStateException("the chain verifies to none of the trustedCertificates");
        System.out.println("enrolled " + chain.get(0).getSubjectX500Principal().getName());
        System.out.println("csr " + csr.getSignatureAlgorithm().getAlgorithm().getId());
        for (List<?> san : chain.get(0).getSubjectAlternativeNames()) System.out.println("san " + san.get(0) + ":" + san.get(1));
        System.out.println("roots " + roots.size());
        for (X509Certificate root : roots) System.out.println("root " + root.getSubjectX500Principal().getName());
    }
}
