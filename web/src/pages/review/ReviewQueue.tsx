/** /app/reviews: proposals in technical review (placeholder until the review pages land). */
import { useI18n } from "../../i18n";

export function ReviewQueue() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t.review.queueTitle}</h1>
      <p>{t.review.placeholder}</p>
    </>
  );
}
