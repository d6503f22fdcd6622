// BouncyCastle (bcpkix) as the peer that encrypts a certificate for CMP's indirect POP (RFC 9810
// §5.2.2): CMSEnvelopedDataGenerator for the requested public key (RSA: key transport RSAES-OAEP
// SHA-256; EC: ECDH with the X9.63 SHA-256 KDF and AES-256 key wrap), AES-256-CBC content, wrapped
// by BouncyCastle's own EncryptedKey and CertOrEncCert classes (their tagging, not ours). Writes the
// DER of the CertOrEncCert ([1] encryptedCert) for the test's CA to send.
//   java BcEncryptedCert <certificate.der> <recipient-spki.der> <RSA|EC> <out.der>
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Security;
import java.security.interfaces.ECPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.cmp.CertOrEncCert;
import org.bouncycastle.asn1.cms.EnvelopedData;
import org.bouncycastle.asn1.crmf.EncryptedKey;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedData;
import org.bouncycastle.cms.CMSEnvelopedDataGenerator;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JceKeyAgreeRecipientInfoGenerator;
import org.bouncycastle.cms.jcajce.JceKeyTransRecipientInfoGenerator;
import org.bouncycastle.operator.jcajce.JcaAlgorithmParametersConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

public final class BcEncryptedCert {
  private BcEncryptedCert() {}

  public static void main(String[] args) throws Exception {
    Security.addProvider(new BouncyCastleProvider());
    byte[] certificate = Files.readAllBytes(Paths.get(args[0]));
    PublicKey recipient = KeyFactory.getInstance(args[2], "BC").generatePublic(new X509EncodedKeySpec(Files.readAllBytes(Paths.get(args[1]))));
    byte[] keyId = new byte[] {1, 2, 3, 4};
    CMSEnvelopedDataGenerator generator = new CMSEnvelopedDataGenerator();
    if (args[2].equals("RSA")) {
      OAEPParameterSpec oaep = new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT);
      generator.addRecipientInfoGenerator(
          new JceKeyTransRecipientInfoGenerator(
                  keyId, new JcaAlgorithmParametersConverter().getAlgorithmIdentifier(PKCSObjectIdentifiers.id_RSAES_OAEP, oaep), recipient)
              .setProvider("BC"));
    } else {
      KeyPairGenerator ephemeral = KeyPairGenerator.getInstance("EC", "BC");
      ephemeral.initialize(((ECPublicKey) recipient).getParams());
      KeyPair originator = ephemeral.generateKeyPair();
      generator.addRecipientInfoGenerator(
          new JceKeyAgreeRecipientInfoGenerator(
                  CMSAlgorithm.ECDH_SHA256KDF, originator.getPrivate(), originator.getPublic(), CMSAlgorithm.AES256_WRAP)
              .addRecipient(keyId, recipient)
              .setProvider("BC"));
    }
    CMSEnvelopedData enveloped =
        generator.generate(
            new CMSProcessableByteArray(certificate), new JceCMSContentEncryptorBuilder(CMSAlgorithm.AES256_CBC).setProvider("BC").build());
    byte[] certOrEncCert =
        new CertOrEncCert(new EncryptedKey(EnvelopedData.getInstance(enveloped.toASN1Structure().getContent()))).getEncoded(ASN1Encoding.DER);
    Files.write(Paths.get(args[3]), certOrEncCert);
  }
}
